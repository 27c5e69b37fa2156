package io.tcpteardown.agent.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
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
            directory.changed();
          }

          @Override
          public void onUpdate(Pod before, Pod after) {
            directory.changed();
          }

          @Override
          public void onDelete(Pod pod, boolean unknownFinalState) {
            directory.changed();
          }
        });
    informer.start();
    return directory;
  }

  private void changed() {
    listeners.forEach(Runnable::run);
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
    Map<String, String> labels = new java.util.HashMap<>();
    if (metadata.getLabels() != null) {
      metadata
          .getLabels()
          .forEach(
              (k, v) -> {
                if (k != null && v != null) {
                  labels.put(k, v);
                }
              });
    }
    return Optional.of(
        new PodMeta(
            metadata.getNamespace(),
            metadata.getName(),
            metadata.getUid(),
            hostNetwork,
            labels,
            ownSysctls(pod),
            pod.getStatus() != null
                && ("Succeeded".equals(pod.getStatus().getPhase())
                    || "Failed".equals(pod.getStatus().getPhase()))));
  }

  /**
   * The sysctl keys the pod sets itself, as {@code net.ipv4.tcp_fin_timeout} (a name written with
   * slashes, {@code net/ipv4/tcp_fin_timeout}, is the same sysctl).
   */
  static java.util.Set<String> ownSysctls(Pod pod) {
    java.util.Set<String> keys = new java.util.TreeSet<>();
    if (pod.getSpec() == null
        || pod.getSpec().getSecurityContext() == null
        || pod.getSpec().getSecurityContext().getSysctls() == null) {
      return keys;
    }
    for (var sysctl : pod.getSpec().getSecurityContext().getSysctls()) {
      if (sysctl != null && sysctl.getName() != null) {
        keys.add(sysctl.getName().strip().replace('/', '.'));
      }
    }
    return keys;
  }

  /**
   * Every running Pod of this node once, keyed by the UID its cgroup paths carry: its own, or for a
   * static pod the config hash its mirror Pod names. Pods that have finished (Succeeded, Failed)
   * have no namespace left and are not listed.
   */
  public Map<String, PodMeta> podsByCgroupUid() {
    return byCgroupUid(snapshot());
  }

  /**
   * The pods as the informer's store holds them. Not the map its event handler fills: the store is
   * whole once {@link #synced()} says so, while handler notifications may still be under way, and a
   * pod missing from a synced list would have its recorded originals dropped.
   */
  private Map<String, PodMeta> snapshot() {
    return indexed(informer.getStore().list());
  }

  /** Pods by UID, and a static pod also by the config hash its mirror Pod names. */
  static Map<String, PodMeta> indexed(java.util.Collection<Pod> pods) {
    Map<String, PodMeta> indexed = new java.util.HashMap<>();
    for (Pod pod : pods) {
      of(pod)
          .ifPresent(
              meta -> {
                indexed.put(meta.uid(), meta);
                String mirror =
                    pod.getMetadata().getAnnotations() == null
                        ? null
                        : pod.getMetadata().getAnnotations().get(MIRROR_ANNOTATION);
                if (mirror != null && !mirror.isBlank()) {
                  indexed.put(mirror, meta);
                }
              });
    }
    return indexed;
  }

  /** As {@link #podsByCgroupUid()}, from the directory's map of UIDs and mirror hashes. */
  static Map<String, PodMeta> byCgroupUid(Map<String, PodMeta> byUid) {
    Map<String, PodMeta> result = new java.util.HashMap<>();
    byUid.forEach(
        (key, meta) -> {
          if (meta.finished()) {
            return;
          }
          if (!key.equals(meta.uid())) {
            result.remove(meta.uid());
            result.put(key, meta);
          } else if (result.values().stream().noneMatch(m -> m.uid().equals(key))) {
            result.put(key, meta);
          }
        });
    return result;
  }

  /** Called on every change of a Pod of this node. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  public boolean synced() {
    return informer.hasSynced();
  }

  @Override
  public void close() {
    informer.close();
  }
}
