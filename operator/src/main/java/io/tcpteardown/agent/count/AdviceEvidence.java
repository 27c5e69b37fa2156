package io.tcpteardown.agent.count;

import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.rules.advice.NamespaceEvidence;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Puts what one look at a namespace read into the form the advice rules take, the node's and a
 * pod's alike. Pure.
 */
public final class AdviceEvidence {
  private AdviceEvidence() {}

  /**
   * The node's namespace: every field, and the node's memory that bounds a suggested table. Empty
   * where the look has no details (counted from /proc, or the port range unreadable).
   *
   * @param previous the kernel counters of the previous look, if any
   */
  public static Optional<NamespaceEvidence> ofNode(
      NamespaceLook look, Optional<KernelCounters> previous, Long nodeMemoryBytes) {
    return look.details()
        .map(
            d ->
                of(
                    look.sysctls(),
                    d.ports(),
                    look.states(),
                    d.result(),
                    d.miniSockets(),
                    previous,
                    look.counters(),
                    nodeMemoryBytes));
  }

  /**
   * A pod's namespace: only the fields a {@code spec.pods} rule sets (tcp_max_orphans read there is
   * the node's), and no memory bound of its own.
   */
  public static Optional<NamespaceEvidence> ofPod(
      NamespaceLook look, Optional<KernelCounters> previous) {
    Map<ManagedSysctl, Long> own = new EnumMap<>(ManagedSysctl.class);
    look.sysctls()
        .forEach(
            (sysctl, value) -> {
              if (sysctl.scope() == ManagedSysctl.Scope.NETWORK_NAMESPACE) {
                own.put(sysctl, value);
              }
            });
    return look.details()
        .map(
            d ->
                of(
                    own,
                    d.ports(),
                    look.states(),
                    d.result(),
                    d.miniSockets(),
                    previous,
                    look.counters(),
                    null));
  }

  /**
   * @param current the teardown sysctls read in the namespace
   * @param miniSockets the TIME_WAIT and FIN_WAIT2 mini-sockets of the namespace (its sockstat
   *     {@code tw})
   * @param previous the kernel counters of the previous look, if any
   */
  public static NamespaceEvidence of(
      Map<ManagedSysctl, Long> current,
      LocalPorts ports,
      StateCounts states,
      TeardownDetails.Result details,
      long miniSockets,
      Optional<KernelCounters> previous,
      KernelCounters counters,
      Long nodeMemoryBytes) {
    return new NamespaceEvidence(
        current,
        ports.range(),
        details.destinations(),
        details.otherDestinationSockets(),
        details.destinationsTruncated(),
        miniSockets,
        previous.map(p -> rise(p.timeWaitOverflow(), counters.timeWaitOverflow())).orElse(0L),
        previous.map(p -> rise(p.abortOnMemory(), counters.abortOnMemory())).orElse(0L),
        states.orphans(),
        details.unansweredOrphans(),
        details.zeroWindowOrphans(),
        details.mostRetransmits(),
        details.finWait2Orphans(),
        details.halfClosed(),
        nodeMemoryBytes);
  }

  /** A counter's rise; a counter that went down (a new namespace, a reboot) rose by nothing. */
  private static long rise(long before, long now) {
    return Math.max(0, now - before);
  }
}
