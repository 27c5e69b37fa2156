package io.tcpteardown.agent;

import io.tcpteardown.agent.count.LocalPorts;
import io.tcpteardown.agent.count.SocketStates;
import io.tcpteardown.agent.count.TeardownDetails;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.rules.advice.NamespaceEvidence;
import java.util.Map;
import java.util.Optional;

/** Puts what one look at a namespace read into the form the advice rules take. Pure. */
public final class AdviceEvidence {
  private AdviceEvidence() {}

  /**
   * @param current the teardown sysctls read in the namespace (tcp_max_orphans from the node)
   * @param miniSockets sockstat's {@code tw} of the namespace (the peak over the reports, where the
   *     caller keeps one)
   * @param previous the kernel counters of the previous look, if any
   */
  public static NamespaceEvidence of(
      Map<ManagedSysctl, Long> current,
      LocalPorts ports,
      SocketStates states,
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
        states.orphansInDump(),
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
