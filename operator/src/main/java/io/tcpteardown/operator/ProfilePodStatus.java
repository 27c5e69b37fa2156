package io.tcpteardown.operator;

import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.PodConflictEntry;
import io.tcpteardown.api.PodMode;
import io.tcpteardown.api.PodRuleResult;
import io.tcpteardown.api.PodSummary;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A profile's pod rules over its selected nodes, from what their agents report (untrusted: any
 * value the API server admits is taken without throwing; null or negative counts are 0, sums stop
 * at the largest long).
 *
 * @param summary pods matched, applied and with errors, summed over the nodes
 * @param withoutFeature selected nodes whose agent does not list the podRules feature
 * @param conflicts one message per node and conflict that names this profile
 */
public record ProfilePodStatus(
    PodSummary summary, List<String> withoutFeature, List<String> conflicts) {
  /** How many nodes or pods a message names. */
  private static final int MAX_NAMES = 5;

  /** Whether the pods count toward Applied: every agent understands, every matched pod applied. */
  public boolean applied(PodMode mode) {
    return applied(summary, withoutFeature.isEmpty(), mode);
  }

  /**
   * Whether pods so summed count toward Applied.
   *
   * @param everyAgentUnderstands every selected node's agent lists the podRules feature
   */
  static boolean applied(PodSummary summary, boolean everyAgentUnderstands, PodMode mode) {
    if (!everyAgentUnderstands) {
      return false;
    }
    return mode == PodMode.ReportOnly
        || (summary.errors() == 0 && summary.applied() >= summary.matched());
  }

  /** Why the pods keep Applied False; empty when they do not. */
  public String notAppliedMessage(PodMode mode) {
    if (!withoutFeature.isEmpty()) {
      return "the agents on "
          + SafeText.names(withoutFeature, MAX_NAMES)
          + " do not understand pod rules (an older agent version, such as during a DaemonSet"
          + " rollout): their pods are not counted as applied until the agent is upgraded";
    }
    if (applied(mode)) {
      return "";
    }
    return summary.applied()
        + " of "
        + summary.matched()
        + " matched pods have this profile's values"
        + (summary.errors() > 0
            ? ", " + summary.errors() + " with errors (see status.pods[].tuning of each node)"
            : "");
  }

  /**
   * What one node's agent reports of a profile's pod rules, before the sums over nodes are bounded.
   *
   * @param withoutFeature the node's agent does not list the podRules feature (nothing else counts)
   */
  public record Part(
      String node,
      boolean withoutFeature,
      long matched,
      long applied,
      long errors,
      List<String> conflicts) {}

  /** One node's part, from its agent's status (any value the API server admits). */
  public static Part part(String profile, String node, TcpTeardownNodeStatus status) {
    AgentInfo agent = status == null ? null : status.agent();
    if (agent == null || !agent.understands(AgentInfo.POD_RULES)) {
      return new Part(node, true, 0, 0, 0, List.of());
    }
    long matched = 0;
    long applied = 0;
    long errors = 0;
    List<String> conflicts = new ArrayList<>();
    for (PodRuleResult result : nullSafe(status.podRules())) {
      if (result == null || !profile.equals(result.profile())) {
        continue;
      }
      matched = add(matched, result.matched());
      applied = add(applied, result.applied());
      errors = add(errors, result.errors());
    }
    for (PodConflictEntry conflict : nullSafe(status.podConflicts())) {
      if (conflict == null || conflict.profiles() == null) {
        continue;
      }
      List<String> profiles = conflict.profiles().stream().filter(Objects::nonNull).toList();
      if (profiles.contains(profile) && profiles.size() > 1) {
        List<String> pods = nullSafe(conflict.pods()).stream().filter(Objects::nonNull).toList();
        conflicts.add(
            "Pod rules of "
                + String.join(" and ", profiles)
                + " have the same priority and set "
                + conflict.field()
                + " differently in "
                + pods.size()
                + (pods.size() == 1 ? " pod" : " pods")
                + " on node "
                + node
                + " ("
                + String.join(", ", pods.subList(0, Math.min(MAX_NAMES, pods.size())))
                + "); "
                + profiles.getFirst()
                + " wins because its name sorts first. Give one profile a higher priority or"
                + " make the values agree.");
      }
    }
    return new Part(node, false, matched, applied, errors, List.copyOf(conflicts));
  }

  /** The profile's pod status from its selected nodes' parts, in node order. */
  public static ProfilePodStatus combine(Iterable<Part> parts) {
    long matched = 0;
    long applied = 0;
    long errors = 0;
    List<String> withoutFeature = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    for (Part part : parts) {
      if (part.withoutFeature()) {
        withoutFeature.add(part.node());
        continue;
      }
      matched = add(matched, part.matched());
      applied = add(applied, part.applied());
      errors = add(errors, part.errors());
      conflicts.addAll(part.conflicts());
    }
    return new ProfilePodStatus(
        new PodSummary(matched, Math.min(applied, matched), Math.min(errors, matched)),
        withoutFeature,
        conflicts);
  }

  private static long add(long sum, Long value) {
    return value == null ? sum : add(sum, value.longValue());
  }

  private static long add(long sum, long value) {
    if (value <= 0) {
      return sum;
    }
    long next = sum + value;
    return next < sum ? Long.MAX_VALUE : next;
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }
}
