package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodePodRule;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.rules.HealthSummary;
import io.tcpteardown.rules.Resolver;
import io.tcpteardown.rules.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** A profile's status from the contributions of the nodes it selects. */
public final class ProfileStatusAssembler {
  private ProfileStatusAssembler() {}

  /**
   * @param previous the status stored now, whose conditions keep their transition times
   * @param violations the profile's safety violations (empty when accepted)
   * @param selected the contributions of the nodes the profile selects, sorted by node name
   */
  public static TcpTeardownProfileStatus assemble(
      TcpTeardownProfile profile,
      TcpTeardownProfileStatus previous,
      List<Violation> violations,
      Collection<NodeContribution> selected,
      AgentSilence silence,
      Instant now) {
    Long generation = profile.getMetadata().getGeneration();
    SelectedNodes nodes = SelectedNodes.of(profile.getMetadata().getName(), selected, silence, now);
    Optional<NodePodRule> podRule =
        violations.isEmpty() ? Resolver.podRule(profile) : Optional.empty();
    ProfilePodStatus pods =
        podRule.map(r -> ProfilePodStatus.combine(nodes.podParts())).orElse(null);
    List<ProfileConflict> conflicts = new ArrayList<>(nodes.fieldClashes());
    if (pods != null) {
      pods.conflicts().forEach(message -> conflicts.add(new ProfileConflict.PodRuleClash(message)));
    }
    List<Condition> next =
        new ArrayList<>(
            ProfileConditionRules.decide(
                new ProfileStatusFacts(
                    new ProfileVerdictFacts(generation, violations, podRule, nodes.tally()),
                    nodes,
                    pods,
                    List.copyOf(conflicts))));
    next.addAll(HealthSummary.forProfile(next, nodes.silent(), nodes.errored(), generation));
    return new TcpTeardownProfileStatus(
        generation,
        Conditions.carryTransitionTimes(wellFormed(previous), next, now),
        nodes.count(),
        nodes.applied(),
        nodes.totals(),
        nodes.entries(),
        nodes.count() > SelectedNodes.MAX_NODE_ENTRIES ? Boolean.TRUE : null,
        pods == null ? null : pods.summary(),
        nodes.tally().advised() == 0 ? null : nodes.tally().advised());
  }

  /**
   * The written-at-once part of the status {@link #assemble} gives when no selected node's agent is
   * silent, from the counts alone: the index keeps them per event and need not assemble the status
   * to know whether this part changed.
   */
  static UrgentStatus urgent(ProfileVerdictFacts facts) {
    List<Condition> next = new ArrayList<>(ProfileConditionRules.decideWithoutMessages(facts));
    next.addAll(
        HealthSummary.forProfile(
            next, List.of(), Collections.nCopies(facts.tally().errored(), ""), facts.generation()));
    return UrgentStatus.of(facts.generation(), facts.tally().selected(), next);
  }

  /**
   * The previous conditions fit to carry transition times from: anyone with status access can store
   * a condition without type or status, which then counts as absent.
   */
  private static List<Condition> wellFormed(TcpTeardownProfileStatus previous) {
    if (previous == null || previous.conditions() == null) {
      return List.of();
    }
    return previous.conditions().stream()
        .filter(c -> c != null && c.getType() != null && c.getStatus() != null)
        .toList();
  }
}
