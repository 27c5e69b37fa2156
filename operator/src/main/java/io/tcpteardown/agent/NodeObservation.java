package io.tcpteardown.agent;

import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.rules.advice.NamespaceEvidence;
import java.util.Map;
import java.util.Optional;

/**
 * What one look at the kernel found: the six sysctls as they are now (absent when the file does not
 * exist in this network namespace), the teardown state counts and the trouble counters.
 *
 * @param countMethod how the states were counted: "netlink" or "proc"
 * @param evidence what the advice rules take from this look (netlink counts only)
 */
public record NodeObservation(
    Map<ManagedSysctl, Long> sysctls,
    StateCounts states,
    KernelCounters counters,
    String countMethod,
    Optional<NamespaceEvidence> evidence) {

  public NodeObservation {
    sysctls = Map.copyOf(sysctls);
  }

  public NodeObservation(
      Map<ManagedSysctl, Long> sysctls,
      StateCounts states,
      KernelCounters counters,
      String countMethod) {
    this(sysctls, states, counters, countMethod, Optional.empty());
  }

  public Optional<Long> sysctl(ManagedSysctl sysctl) {
    return Optional.ofNullable(sysctls.get(sysctl));
  }
}
