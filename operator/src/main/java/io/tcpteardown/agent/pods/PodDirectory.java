package io.tcpteardown.agent.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods of this node, by UID, from a watch of the Pod objects whose {@code spec.nodeName} is
 * this node (RBAC: get, list, watch pods). Keeps only what names a pod; a pod change goes into the
 * next report, never into a write of its own.
 */
public final class PodDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodDirectory.class);

  static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

  private final Map<String, PodMeta> byUid = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Pod> informer;

  private PodDirectory(SharedIndexInformer<Pod> informer) {
    this.informer = informer;
  }

  /** Starts watching the pods of {@code nodeName}. */
  public static PodDirectory watch(KubernetesClient client, String nodeName) {
    SharedIndexInformer<Pod> informer =
        client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).runnableInformer(0);
    PodDirectory directory = new PodDirectory(informer);
    informer.exceptionHandler(
        (started, error) -> {
          LOG.warn(
              "watch of the pods of node {} failed, retrying: {}", nodeName, error.getMessage());
          return true;
        });
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            directory.put(pod);
          }

          @Override
          public void onUpdate(Pod before, Pod after) {
            directory.put(after);
          }

          @Override
          public void onDelete(Pod pod, boolean unknownFinalState) {
            if (pod.getMetadata() != null && pod.getMetadata().getUid() != null) {
              directory.byUid.values().removeIf(m -> m.uid().equals(pod.getMetadata().getUid()));
            }
          }
        });
    informer.start();
    return directory;
  }

  private void put(Pod pod) {
    of(pod)
        .ifPresent(
            meta -> {
              byUid.put(meta.uid(), meta);
              // A static pod's cgroup carries its config hash, which its mirror Pod names.
              String mirror =
                  pod.getMetadata().getAnnotations() == null
                      ? null
                      : pod.getMetadata().getAnnotations().get(MIRROR_ANNOTATION);
              if (mirror != null && !mirror.isBlank()) {
                byUid.put(mirror, meta);
              }
            });
  }

  /** What names a Pod object; empty for one without namespace, name or UID. */
  static Optional<PodMeta> of(Pod pod) {
    var metadata = pod.getMetadata();
    if (metadata == null
        || metadata.getUid() == null
        || metadata.getName() == null
        || metadata.getNamespace() == null) {
      return Optional.empty();
    }
    boolean hostNetwork =
        pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    return Optional.of(
        new PodMeta(metadata.getNamespace(), metadata.getName(), metadata.getUid(), hostNetwork));
  }

  public Optional<PodMeta> byUid(String uid) {
    return Optional.ofNullable(byUid.get(uid));
  }

  public boolean synced() {
    return informer.hasSynced();
  }

  @Override
  public void close() {
    informer.close();
  }
}
