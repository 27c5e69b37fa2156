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
   * @param value null when the sysctl does not exist in this network namespace
   * @param scope "network-namespace" or "node"
   */
  public record SysctlReading(String name, String field, Long value, String scope) {}

  public static NodeReport of(NodeObservation observation) {
    List<SysctlReading> sysctls =
        Arrays.stream(ManagedSysctl.values())
            .map(
                s ->
                    new SysctlReading(
                        s.key(), s.field(), observation.sysctls().get(s), scopeName(s)))
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
