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
   * The shape of a static pod's config hash, the only mirror annotation value honoured: the kubelet
   * gives a static pod without {@code metadata.uid} the lower-case hex of an MD5 over its manifest
   * and source as UID (pkg/kubelet/config/common.go, applyDefaults), records it in the {@code
   * kubernetes.io/config.hash} annotation, and its mirror Pod carries that hash in {@code
   * kubernetes.io/config.mirror}. The pod's cgroup is named after it ({@link PodCgroup}).
   */
  static final java.util.regex.Pattern CONFIG_HASH =
      java.util.regex.Pattern.compile("[0-9a-f]{32}");

  /**
   * Who the pods of this node are, by the UID their cgroup paths carry.
   *
   * @param byCgroupUid every running Pod once: by its own UID, or a mirror Pod by the config hash
   *     it alone claims
   * @param unattributed config hashes that two or more Pods claim: none of them is matched, and a
   *     namespace of such a pod is reported by its UID alone, neither tuned nor given Events
   */
  public record Attribution(Map<String, PodMeta> byCgroupUid, java.util.Set<String> unattributed) {
    public Attribution {
      byCgroupUid = Map.copyOf(byCgroupUid);
      unattributed = java.util.Set.copyOf(unattributed);
    }
  }

  /**
   * Every running Pod of this node once, keyed by the UID its cgroup paths carry: its own, or for a
   * static pod the config hash its mirror Pod names. Pods that have finished (Succeeded, Failed)
   * have no namespace left and are not listed.
   */
  public Map<String, PodMeta> podsByCgroupUid() {
    return attribution().byCgroupUid();
  }

  /**
   * The pods as the informer's store holds them. Not the map its event handler fills: the store is
   * whole once {@link #synced()} says so, while handler notifications may still be under way, and a
   * pod missing from a synced list would have its recorded originals dropped.
   */
  public Attribution attribution() {
    return attribute(informer.getStore().list());
  }

  /**
   * Pods by UID; a Pod's mirror annotation only when its value has the shape of a config hash, is
   * no Pod's own UID (a real UID always wins) and no other Pod of the node claims it too. Anyone
   * who can create a Pod can set the annotation (and an owner reference to the Node), so a claim
   * proves nothing by itself: a claimant is matched by its claim only while it is the only one, and
   * is then not listed under its own UID (a mirror Pod has no cgroup of its own). The result does
   * not depend on the order of {@code pods}.
   */
  static Attribution attribute(java.util.Collection<Pod> pods) {
    java.util.Set<String> realUids = new java.util.HashSet<>();
    List<Map.Entry<PodMeta, Optional<String>>> named = new java.util.ArrayList<>();
    for (Pod pod : pods) {
      of(pod)
          .ifPresent(
              meta -> {
                realUids.add(meta.uid());
                named.add(Map.entry(meta, claimedHash(pod)));
              });
    }
    Map<String, PodMeta> byCgroupUid = new java.util.HashMap<>();
    Map<String, List<PodMeta>> claims = new java.util.HashMap<>();
    for (var entry : named) {
      PodMeta meta = entry.getKey();
      if (meta.finished()) {
        continue;
      }
      Optional<String> hash = entry.getValue().filter(h -> !realUids.contains(h));
      if (hash.isPresent()) {
        claims.computeIfAbsent(hash.get(), h -> new java.util.ArrayList<>()).add(meta);
      } else {
        byCgroupUid.put(meta.uid(), meta);
      }
    }
    java.util.Set<String> unattributed = new java.util.TreeSet<>();
    claims.forEach(
        (hash, claimants) -> {
          if (claimants.size() == 1) {
            byCgroupUid.put(hash, claimants.get(0));
          } else {
            unattributed.add(hash);
          }
        });
    if (!unattributed.isEmpty()) {
      LOG.debug(
          "{} config hashes claimed by more than one Pod, left unattributed", unattributed.size());
    }
    return new Attribution(byCgroupUid, unattributed);
  }

  /** The config hash a Pod's mirror annotation names, when it has that shape. */
  static Optional<String> claimedHash(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String mirror = annotations == null ? null : annotations.get(MIRROR_ANNOTATION);
    return mirror != null && CONFIG_HASH.matcher(mirror).matches()
        ? Optional.of(mirror)
        : Optional.empty();
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
