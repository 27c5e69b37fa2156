package io.tcpteardown.operator;

import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.HeldBackSetting;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.NodeResolution;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What one node the profile selects gives to its status, read from the node's agent report as
 * untrusted input: anything the API server admits is taken without throwing, a negative count is 0.
 *
 * @param heldBack this profile's settings held back on the node and why (null when none)
 * @param conflicts equal-priority clashes on the node that involve this profile
 * @param pressure the sentence naming the node's teardown trouble (null when none)
 * @param pods the node's part of the profile's pod rules (null without pod rules)
 * @param error the agent's Error message, cut, when the profile is not applied there (else null)
 * @param advised whether the node's status.advice advises on a field the profile sets (HostNetwork
 *     advice on its fields; Pod advice on them too when it has pod rules)
 * @param heldBackBeyondMaxOrphans whether a field other than maxOrphans is among those held back
 */
public record NodeContribution(
    String node,
    StateCounts states,
    boolean applied,
    String heldBack,
    List<NodeResolution.FieldConflict> conflicts,
    String pressure,
    ProfilePodStatus.Part pods,
    String error,
    boolean advised,
    boolean heldBackBeyondMaxOrphans) {

  /** How much of a node's Error message the profile's Stalled message repeats. */
  static final int MAX_ERROR_MESSAGE = 200;

  /**
   * @param sets the fields the profile sets (its spec's settings)
   * @param resolution the node's resolution over every profile, null when the profile is rejected
   * @param rising whether the node's overflow counters rose between its last two reports
   */
  public static NodeContribution of(
      String profile,
      boolean podRule,
      TeardownSettings sets,
      String node,
      NodeResolution resolution,
      TcpTeardownNodeStatus status,
      boolean rising) {
    StateCounts states = counts(status);
    ProfilePodStatus.Part pods = podRule ? ProfilePodStatus.part(profile, node, status) : null;
    if (resolution == null) {
      return new NodeContribution(
          node, states, false, null, List.of(), null, pods, null, false, false);
    }
    boolean applied = appliedOnNode(profile, resolution, status);
    String heldBack =
        resolution.heldBack().stream()
            .filter(h -> h.profile().equals(profile))
            .map(HeldBackSetting::reason)
            .collect(Collectors.joining("; "));
    List<NodeResolution.FieldConflict> conflicts =
        resolution.conflicts().stream()
            .filter(c -> c.winner().equals(profile) || c.loser().equals(profile))
            .toList();
    return new NodeContribution(
        node,
        states,
        applied,
        heldBack.isEmpty() ? null : heldBack,
        conflicts,
        NodePressure.sentence(node, status, rising).orElse(null),
        pods,
        applied ? null : agentError(status),
        advised(sets, podRule, status),
        resolution.heldBack().stream()
            .anyMatch(
                h ->
                    h.profile().equals(profile)
                        && !ManagedSysctl.MAX_ORPHANS.field().equals(h.field())));
  }

  /**
   * Whether the node's advice is about a field the profile sets: advice on the node's own namespace
   * (HostNetwork) about any of its fields, advice on a pod about one its pod rule sets. Untrusted
   * input: an entry of another scope, an unknown field or a null is about none.
   */
  static boolean advised(TeardownSettings sets, boolean podRule, TcpTeardownNodeStatus status) {
    if (sets == null || status == null || status.advice() == null) {
      return false;
    }
    for (AdviceEntry entry : status.advice()) {
      if (entry == null || entry.field() == null) {
        continue;
      }
      Optional<ManagedSysctl> field = ManagedSysctl.byField(entry.field());
      if (field.isEmpty() || sets.sysctlValue(field.get()) == null) {
        continue;
      }
      if (AdviceEntry.SCOPE_HOST_NETWORK.equals(entry.scope())
          || (AdviceEntry.SCOPE_POD.equals(entry.scope())
              && podRule
              && field.get().scope() == ManagedSysctl.Scope.NETWORK_NAMESPACE)) {
        return true;
      }
    }
    return false;
  }

  /** Every field this profile won on the node reads back from the kernel as the value asked for. */
  static boolean appliedOnNode(
      String profile, NodeResolution resolution, TcpTeardownNodeStatus status) {
    if (!resolution.profiles().contains(profile)) {
      return false;
    }
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      if (!profile.equals(resolution.sources().get(sysctl.field()))) {
        continue;
      }
      Long wanted = resolution.settings().sysctlValue(sysctl);
      String reported =
          status == null || status.applied() == null ? null : status.applied().get(sysctl.key());
      if (reported == null || !reported.strip().equals(String.valueOf(wanted))) {
        return false;
      }
    }
    return true;
  }

  /** The agent's Error=True message, cut to a bound (the agent's text), when it reports one. */
  private static String agentError(TcpTeardownNodeStatus status) {
    if (status == null) {
      return null;
    }
    return Conditions.find(status.conditions(), NodeConditions.ERROR)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()))
        .map(c -> String.valueOf(c.getMessage()))
        .map(m -> m.length() > MAX_ERROR_MESSAGE ? m.substring(0, MAX_ERROR_MESSAGE) + "…" : m)
        .orElse(null);
  }

  /** A node's state counts as its agent reports them, a negative count (none is) taken as 0. */
  static StateCounts counts(TcpTeardownNodeStatus status) {
    StateCounts s = status == null ? null : status.states();
    if (s == null) {
      return StateCounts.ZERO;
    }
    return new StateCounts(
        Math.max(0, s.finWait1()),
        Math.max(0, s.finWait2()),
        Math.max(0, s.timeWait()),
        Math.max(0, s.closeWait()),
        Math.max(0, s.lastAck()),
        Math.max(0, s.closing()),
        Math.max(0, s.orphans()));
  }
}
