package io.tcpteardown.agent;

import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** This machine's teardown picture, as {@code node-report} prints it; its JSON shape is stable. */
public record NodeReport(
    List<SysctlReading> sysctls,
    StateCounts states,
    KernelCounters counters,
    String countMethod,
    List<NodeWarnings.Warning> warnings) {

  /**
   * @param value the kernel's value, null when the sysctl does not exist in this network namespace
   * @param setting the value as a profile writes it ({@code LoopbackOnly} for 2 of tcp_tw_reuse),
   *     null with {@code value}
   * @param scope "network-namespace" or "node"
   */
  public record SysctlReading(String name, String field, Long value, String setting, String scope) {
    static SysctlReading of(ManagedSysctl sysctl, Long value) {
      return new SysctlReading(
          sysctl.key(),
          sysctl.field(),
          value,
          value == null ? null : sysctl.displayValue(value),
          scopeName(sysctl));
    }
  }

  public static NodeReport of(NodeObservation observation) {
    List<SysctlReading> sysctls =
        Arrays.stream(ManagedSysctl.values())
            .map(s -> SysctlReading.of(s, observation.sysctls().get(s)))
            .toList();
    return new NodeReport(
        sysctls,
        observation.states(),
        observation.counters(),
        observation.countMethod(),
        NodeWarnings.of(observation));
  }

  public static String scopeName(ManagedSysctl sysctl) {
    return sysctl.scope().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
