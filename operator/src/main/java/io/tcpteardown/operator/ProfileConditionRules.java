package io.tcpteardown.operator;

import static io.tcpteardown.api.ProfileConditions.*;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.PodMode;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.rules.Violation;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A profile's own conditions, one small function each, every one deciding its condition from the
 * same {@link ProfileStatusFacts}; {@link #CHAIN} runs them in the order the status lists them.
 */
final class ProfileConditionRules {
  /** How many names or per-node sentences a message lists before "and N more". */
  private static final int MAX_NAMES_IN_MESSAGE = 5;

  /** Accepted, Applied, Conflict, TeardownPressure and HeldBack, in this order. */
  static final List<Function<ProfileStatusFacts, Condition>> CHAIN =
      List.of(
          ProfileConditionRules::accepted,
          ProfileConditionRules::applied,
          ProfileConditionRules::conflict,
          ProfileConditionRules::teardownPressure,
          ProfileConditionRules::heldBack);

  private ProfileConditionRules() {}

  static List<Condition> decide(ProfileStatusFacts facts) {
    return CHAIN.stream().map(rule -> rule.apply(facts)).toList();
  }

  static Condition accepted(ProfileStatusFacts facts) {
    if (facts.accepted()) {
      return Conditions.of(
          ACCEPTED,
          true,
          REASON_VALID,
          "The profile passes every safety rule.",
          facts.generation());
    }
    List<Violation> violations = facts.violations();
    return Conditions.of(
        ACCEPTED,
        false,
        violations.getFirst().rule(),
        "Rejected, applied to no node: "
            + violations.stream().map(Violation::message).collect(Collectors.joining(" ")),
        facts.generation());
  }

  /** Applied covers pods too: True only when the pods' values hold as well. */
  static Condition applied(ProfileStatusFacts facts) {
    Condition nodes = appliedOnNodes(facts);
    ProfilePodStatus pods = facts.pods();
    if (pods == null || !facts.accepted() || facts.nodes().count() == 0) {
      return nodes;
    }
    PodMode mode = facts.podRule().orElseThrow().mode();
    if (pods.applied(mode)) {
      return nodes;
    }
    String message = nodes.getMessage() + " Pods: " + pods.notAppliedMessage(mode) + ".";
    String reason =
        !Conditions.TRUE.equals(nodes.getStatus())
            ? nodes.getReason()
            : pods.withoutFeature().isEmpty()
                ? REASON_PODS_NOT_APPLIED
                : REASON_AGENT_WITHOUT_POD_RULES;
    return Conditions.of(APPLIED, false, reason, message, facts.generation());
  }

  private static Condition appliedOnNodes(ProfileStatusFacts facts) {
    Long generation = facts.generation();
    if (!facts.accepted()) {
      return Conditions.of(
          APPLIED,
          false,
          REASON_NOT_ACCEPTED,
          "The profile is rejected; see Accepted.",
          generation);
    }
    int selected = facts.nodes().count();
    int applied = facts.nodes().applied();
    if (selected == 0) {
      return Conditions.of(
          APPLIED,
          false,
          REASON_NO_NODES_SELECTED,
          "The nodeSelector matches no node.",
          generation);
    }
    if (applied == selected) {
      return Conditions.of(
          APPLIED,
          true,
          REASON_ALL_NODES_APPLIED,
          "All " + selected + " selected nodes report this profile's values applied.",
          generation);
    }
    return Conditions.of(
        APPLIED,
        false,
        REASON_PENDING,
        applied
            + " of "
            + selected
            + " selected nodes report this profile's values applied; not yet: "
            + SafeText.names(facts.nodes().notApplied(), MAX_NAMES_IN_MESSAGE),
        generation);
  }

  static Condition conflict(ProfileStatusFacts facts) {
    List<ProfileConflict> conflicts = facts.conflicts();
    if (conflicts.isEmpty()) {
      return Conditions.of(
          CONFLICT,
          false,
          REASON_NO_CONFLICT,
          "No profile of equal priority sets a field differently.",
          facts.generation());
    }
    return Conditions.of(
        CONFLICT,
        true,
        REASON_EQUAL_PRIORITY_CLASH,
        SafeText.joinWithin(
            conflicts.stream().map(ProfileConflict::message).toList(),
            " ",
            Integer.MAX_VALUE,
            Conditions.MAX_MESSAGE,
            " conflicts."),
        facts.generation());
  }

  static Condition teardownPressure(ProfileStatusFacts facts) {
    List<String> pressure = facts.nodes().pressure();
    if (pressure.isEmpty()) {
      return Conditions.of(
          TEARDOWN_PRESSURE,
          false,
          REASON_NO_PRESSURE,
          "No selected node shows teardown trouble.",
          facts.generation());
    }
    return Conditions.of(
        TEARDOWN_PRESSURE,
        true,
        REASON_TEARDOWN_PRESSURE,
        summarizeNodes(pressure),
        facts.generation());
  }

  static Condition heldBack(ProfileStatusFacts facts) {
    List<String> heldBack = facts.nodes().heldBack();
    if (heldBack.isEmpty()) {
      return Conditions.of(
          HELD_BACK,
          false,
          REASON_NOTHING_HELD_BACK,
          "Every winning setting is given to its nodes.",
          facts.generation());
    }
    return Conditions.of(
        HELD_BACK,
        true,
        REASON_MAX_ORPHANS_HELD_BACK,
        SafeText.names(heldBack, MAX_NAMES_IN_MESSAGE),
        facts.generation());
  }

  /**
   * At most {@value #MAX_NAMES_IN_MESSAGE} per-node sentences and how many more nodes: a message
   * naming every node under pressure outgrows what etcd accepts in exactly the incident it reports.
   */
  static String summarizeNodes(List<String> sentences) {
    return SafeText.joinWithin(
        sentences,
        " ",
        MAX_NAMES_IN_MESSAGE,
        Conditions.MAX_MESSAGE,
        more -> " And " + more + (more == 1 ? " more node." : " more nodes."));
  }
}
