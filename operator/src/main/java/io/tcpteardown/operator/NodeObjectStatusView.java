package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import java.util.List;
import java.util.Objects;

/**
 * What the profile status reads of a TcpTeardownNode's status, and nothing more: the applied and
 * original values, the counts (whole node and the node's own namespace), the kernel counters and
 * the time of the report (for pressure), the pod conditions the profile's TeardownPressure names,
 * an Error=True condition (the profile's Stalled names it), the agent's features, the pod rules'
 * results and conflicts, and the scope and field of each advice entry (adviceNodes). The per-pod
 * list, the agent's name and version and the other conditions are dropped: at thousands of nodes
 * they are most of the memory the operator would hold for each node.
 */
public final class NodeObjectStatusView {
  private NodeObjectStatusView() {}

  public static TcpTeardownNodeStatus of(TcpTeardownNodeStatus status) {
    if (status == null) {
      return null;
    }
    List<Condition> conditions =
        status.conditions() == null
            ? null
            : status.conditions().stream()
                .filter(Objects::nonNull)
                .filter(
                    c ->
                        NodeConditions.TEARDOWN_PRESSURE.equals(c.getType())
                            || NodeConditions.CLOSE_WAIT_LEAK.equals(c.getType())
                            || (NodeConditions.ERROR.equals(c.getType())
                                && Conditions.TRUE.equals(c.getStatus())))
                .toList();
    AgentInfo agent =
        status.agent() == null ? null : new AgentInfo(null, null, status.agent().features());
    return new TcpTeardownNodeStatus(
        null,
        status.applied(),
        status.original(),
        status.states(),
        status.counters(),
        null,
        conditions,
        agent,
        status.lastReportTime(),
        null,
        null,
        status.hostStates(),
        null,
        null,
        null,
        null,
        status.podConflicts(),
        status.podRules(),
        adviceFields(status.advice()),
        null);
  }

  /** Of each advice entry, its scope and field alone: which fields the node is advised on. */
  private static List<AdviceEntry> adviceFields(List<AdviceEntry> advice) {
    if (advice == null) {
      return null;
    }
    return advice.stream()
        .filter(Objects::nonNull)
        .map(
            a ->
                new AdviceEntry(
                    a.scope(), null, null, a.field(), null, null, null, null, null, null))
        .distinct()
        .toList();
  }
}
