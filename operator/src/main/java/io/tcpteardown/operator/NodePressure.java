package io.tcpteardown.operator;

import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.rules.PressureRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The sentence naming one node's teardown trouble, from its agent's report (untrusted). */
final class NodePressure {
  /**
   * Characters of a node's pod condition copied into a profile's message at most: a node's message
   * names its tenants' pods and processes.
   */
  static final int MAX_NODE_MESSAGE = 512;

  private NodePressure() {}

  /**
   * "node: reason, reason." when the node's own counts near its limits, its overflow counters rose
   * or its agent names pods under pressure or leaking; empty otherwise.
   */
  static Optional<String> sentence(String node, TcpTeardownNodeStatus status, boolean rising) {
    if (status == null) {
      return Optional.empty();
    }
    List<String> reasons = new ArrayList<>();
    // The node's limits bound the node's own namespace: compare them with its own counts (the
    // whole-node states add every pod's, which live under their own limits), orphans node-wide.
    StateCounts whole = NodeContribution.counts(status);
    StateCounts states =
        status.hostStates() == null
            ? whole
            : new StateCounts(
                0, 0, Math.max(0, status.hostStates().timeWait()), 0, 0, 0, whole.orphans());
    Long maxTw = nodeValue(status, ManagedSysctl.MAX_TW_BUCKETS);
    if (nearLimit(states.timeWait(), maxTw)) {
      reasons.add(
          "TIME_WAIT "
              + states.timeWait()
              + " is at or above "
              + PressureRule.PERCENT
              + "% of tcp_max_tw_buckets "
              + maxTw);
    }
    Long maxOrphans = nodeValue(status, ManagedSysctl.MAX_ORPHANS);
    if (nearLimit(states.orphans(), maxOrphans)) {
      reasons.add(
          "orphans "
              + states.orphans()
              + " are at or above "
              + PressureRule.PERCENT
              + "% of tcp_max_orphans "
              + maxOrphans);
    }
    if (rising && status.counters() != null) {
      reasons.add(
          "TCPTimeWaitOverflow or TCPAbortOnMemory rose since the previous report ("
              + status.counters().timeWaitOverflow()
              + ", "
              + status.counters().abortOnMemory()
              + ")");
    }
    // Pods: the agent judges each pod namespace against its own limits and names the pod.
    podCondition(status, NodeConditions.TEARDOWN_PRESSURE, NodeConditions.REASON_POD_PRESSURE)
        .ifPresent(reasons::add);
    podCondition(status, NodeConditions.CLOSE_WAIT_LEAK, NodeConditions.REASON_LEAK_SUSPECTED)
        .ifPresent(reasons::add);
    return reasons.isEmpty()
        ? Optional.empty()
        : Optional.of(node + ": " + String.join(", ", reasons) + ".");
  }

  static boolean nearLimit(long count, Long limit) {
    return limit != null && PressureRule.reached(count, limit);
  }

  /** The message of a node condition that is True for the given reason, about its pods. */
  private static Optional<String> podCondition(
      TcpTeardownNodeStatus status, String type, String reason) {
    return Conditions.find(status.conditions(), type)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()) && reason.equals(c.getReason()))
        .map(c -> SafeText.of(c.getMessage() == null ? reason : c.getMessage(), MAX_NODE_MESSAGE));
  }

  /**
   * The node's current value of a sysctl as its agent reports it: applied if managed, else
   * original.
   */
  private static Long nodeValue(TcpTeardownNodeStatus status, ManagedSysctl sysctl) {
    String value = status.applied() == null ? null : status.applied().get(sysctl.key());
    if (value == null && status.original() != null) {
      value = status.original().get(sysctl.key());
    }
    try {
      return value == null ? null : Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
