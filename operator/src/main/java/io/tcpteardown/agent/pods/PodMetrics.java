package io.tcpteardown.agent.pods;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tcpteardown.agent.count.StateLabels;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.StateCounts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Per-pod metrics for at most {@code limit} pods, those with the most teardown sockets, so that the
 * number of series stays bounded whatever the number of pods; series of pods that drop out are
 * removed at the next sweep.
 */
public final class PodMetrics {
  private final int limit;
  private final MultiGauge sockets;
  private final MultiGauge overflow;
  private final MultiGauge abortOnMemory;
  private final MultiGauge leaks;

  public PodMetrics(MeterRegistry registry, int limit) {
    this.limit = limit;
    this.sockets =
        MultiGauge.builder("tcp_teardown_pod_sockets")
            .description("Sockets in this teardown state in the pod's network namespace")
            .register(registry);
    this.overflow =
        MultiGauge.builder("tcp_teardown_pod_kernel_time_wait_overflow")
            .description(
                "TCPTimeWaitOverflow of the pod's network namespace (a counter the kernel keeps)")
            .register(registry);
    this.abortOnMemory =
        MultiGauge.builder("tcp_teardown_pod_kernel_abort_on_memory")
            .description(
                "TCPAbortOnMemory of the pod's network namespace (a counter the kernel keeps)")
            .register(registry);
    this.leaks =
        MultiGauge.builder("tcp_teardown_pod_close_wait_leak")
            .description(
                "CLOSE_WAIT sockets of a pod whose leak is suspected (at or above the threshold,"
                    + " not falling for three sweeps); absent for every other pod")
            .register(registry);
  }

  /**
   * The pods of one sweep with their names; keeps the {@code limit} with most sockets, and every
   * pod with a suspected CLOSE_WAIT leak in {@code tcp_teardown_pod_close_wait_leak}.
   */
  public void update(List<Named> pods, java.util.Set<String> leakingUids) {
    List<MultiGauge.Row<?>> leakRows = new ArrayList<>();
    for (Named pod : pods) {
      if (pod.counts().namespace().pod().map(p -> leakingUids.contains(p.podUid())).orElse(false)) {
        leakRows.add(MultiGauge.Row.of(tags(pod), pod.counts().states().closeWait()));
      }
    }
    leaks.register(leakRows, true);
    update(pods);
  }

  /**
   * A pod's labels: its namespace and name, printable ASCII of at most 63 and 253 characters
   * ({@link SafeText}), whatever the Pod object or cgroup path they came from holds.
   */
  static Tags tags(Named pod) {
    return Tags.of(
        "namespace",
        SafeText.of(pod.namespace(), PodTeardownEntry.MAX_NAMESPACE),
        "pod",
        SafeText.of(pod.name(), PodTeardownEntry.MAX_NAME));
  }

  /** The pods of one sweep with their names; keeps the {@code limit} with most sockets. */
  public void update(List<Named> pods) {
    List<Named> top = new ArrayList<>(pods);
    top.sort(
        Comparator.comparingLong((Named p) -> p.counts().states().teardownSockets()).reversed());
    top = top.subList(0, Math.min(limit, top.size()));
    List<MultiGauge.Row<?>> socketRows = new ArrayList<>();
    List<MultiGauge.Row<?>> overflowRows = new ArrayList<>();
    List<MultiGauge.Row<?>> abortRows = new ArrayList<>();
    for (Named pod : top) {
      Tags tags = tags(pod);
      StateCounts states = pod.counts().states();
      for (StateLabels.Label state : StateLabels.ALL) {
        socketRows.add(
            MultiGauge.Row.of(tags.and("state", state.value()), state.count().applyAsLong(states)));
      }
      overflowRows.add(MultiGauge.Row.of(tags, pod.counts().counters().timeWaitOverflow()));
      abortRows.add(MultiGauge.Row.of(tags, pod.counts().counters().abortOnMemory()));
    }
    sockets.register(socketRows, true);
    overflow.register(overflowRows, true);
    abortOnMemory.register(abortRows, true);
  }

  /** A counted pod namespace and the pod's namespace and name. */
  public record Named(String namespace, String name, NamespaceCounts counts) {}
}
