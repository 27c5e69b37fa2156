package io.tcpteardown.operator;

import static io.tcpteardown.api.ProfileConditions.*;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.PodMode;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.rules.Violation;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A profile's own conditions, one small rule each, run in turn as a chain ({@link #CHAIN}, the
 * order the status lists them). A rule decides its condition's status and reason, what is written
 * at once, from the {@link ProfileVerdictFacts} alone, which the index keeps up to date per event;
 * and then the message, the live part, from the whole {@link ProfileStatusFacts}.
 */
final class ProfileConditionRules {
  /** How many names or per-node sentences a message lists before "and N more". */
  private static final int MAX_NAMES_IN_MESSAGE = 5;

  /** What a rule decides before the message: the condition's status and reason. */
  record Verdict(boolean status, String reason) {}

  record Rule(
      String type,
      Function<ProfileVerdictFacts, Verdict> verdict,
      BiFunction<ProfileStatusFacts, Verdict, String> message) {

    Condition condition(ProfileStatusFacts facts) {
      Verdict decided = verdict.apply(facts.verdictFacts());
      return Conditions.of(
          type,
          decided.status(),
          decided.reason(),
          message.apply(facts, decided),
          facts.verdictFacts().generation());
    }

    /** The condition without its message, which the written-at-once part leaves out. */
    Condition withoutMessage(ProfileVerdictFacts facts) {
      Verdict decided = verdict.apply(facts);
      return Conditions.of(type, decided.status(), decided.reason(), "", facts.generation());
    }
  }

  /** Accepted, Applied, Conflict, TeardownPressure and HeldBack, in this order. */
  static final List<Rule> CHAIN =
      List.of(
          new Rule(
              ACCEPTED, ProfileConditionRules::accepted, ProfileConditionRules::acceptedMessage),
          new Rule(APPLIED, ProfileConditionRules::applied, ProfileConditionRules::appliedMessage),
          new Rule(
              CONFLICT,
              f ->
                  f.tally().inConflict() > 0
                      ? new Verdict(true, REASON_EQUAL_PRIORITY_CLASH)
                      : new Verdict(false, REASON_NO_CONFLICT),
              ProfileConditionRules::conflictMessage),
          new Rule(
              TEARDOWN_PRESSURE,
              f ->
                  f.tally().underPressure() > 0
                      ? new Verdict(true, REASON_TEARDOWN_PRESSURE)
                      : new Verdict(false, REASON_NO_PRESSURE),
              (facts, verdict) ->
                  verdict.status()
                      ? summarizeNodes(facts.nodes().pressure())
                      : "No selected node shows teardown trouble."),
          new Rule(
              HELD_BACK,
              f ->
                  f.tally().heldBack() == 0
                      ? new Verdict(false, REASON_NOTHING_HELD_BACK)
                      : f.tally().heldBackBeyondMaxOrphans() > 0
                          ? new Verdict(true, REASON_SETTINGS_HELD_BACK)
                          : new Verdict(true, REASON_MAX_ORPHANS_HELD_BACK),
              (facts, verdict) ->
                  verdict.status()
                      ? SafeText.names(facts.nodes().heldBack(), MAX_NAMES_IN_MESSAGE)
                      : "Every winning setting is given to its nodes."));

  private ProfileConditionRules() {}

  static List<Condition> decide(ProfileStatusFacts facts) {
    return CHAIN.stream().map(rule -> rule.condition(facts)).toList();
  }

  /** The conditions with status and reason only: all the written-at-once part needs of them. */
  static List<Condition> decideWithoutMessages(ProfileVerdictFacts facts) {
    return CHAIN.stream().map(rule -> rule.withoutMessage(facts)).toList();
  }

  private static Verdict accepted(ProfileVerdictFacts facts) {
    return facts.accepted()
        ? new Verdict(true, REASON_VALID)
        : new Verdict(false, facts.violations().getFirst().rule());
  }

  private static String acceptedMessage(ProfileStatusFacts facts, Verdict verdict) {
    if (verdict.status()) {
      return "The profile passes every safety rule.";
    }
    return "Rejected, applied to no node: "
        + facts.verdictFacts().violations().stream()
            .map(Violation::message)
            .collect(Collectors.joining(" "));
  }

  /** Applied covers pods too: True only when the pods' values hold as well. */
  private static Verdict applied(ProfileVerdictFacts facts) {
    Verdict nodes = appliedOnNodes(facts);
    if (facts.podRule().isEmpty() || !facts.accepted() || facts.tally().selected() == 0) {
      return nodes;
    }
    if (podsApplied(facts)) {
      return nodes;
    }
    if (!nodes.status()) {
      return nodes;
    }
    return new Verdict(
        false,
        facts.tally().withoutPodFeature() == 0
            ? REASON_PODS_NOT_APPLIED
            : REASON_AGENT_WITHOUT_POD_RULES);
  }

  private static boolean podsApplied(ProfileVerdictFacts facts) {
    return ProfilePodStatus.applied(
        facts.tally().podSummary(),
        facts.tally().withoutPodFeature() == 0,
        facts.podRule().orElseThrow().mode());
  }

  private static Verdict appliedOnNodes(ProfileVerdictFacts facts) {
    if (!facts.accepted()) {
      return new Verdict(false, REASON_NOT_ACCEPTED);
    }
    ProfileTally tally = facts.tally();
    if (tally.selected() == 0) {
      return new Verdict(false, REASON_NO_NODES_SELECTED);
    }
    return tally.applied() == tally.selected()
        ? new Verdict(true, REASON_ALL_NODES_APPLIED)
        : new Verdict(false, REASON_PENDING);
  }

  private static String appliedMessage(ProfileStatusFacts facts, Verdict verdict) {
    ProfileVerdictFacts decided = facts.verdictFacts();
    String nodes = appliedOnNodesMessage(facts);
    if (decided.podRule().isEmpty()
        || !decided.accepted()
        || decided.tally().selected() == 0
        || podsApplied(decided)) {
      return nodes;
    }
    PodMode mode = decided.podRule().orElseThrow().mode();
    return nodes + " Pods: " + facts.pods().notAppliedMessage(mode) + ".";
  }

  private static String appliedOnNodesMessage(ProfileStatusFacts facts) {
    ProfileVerdictFacts decided = facts.verdictFacts();
    int selected = decided.tally().selected();
    int applied = decided.tally().applied();
    if (!decided.accepted()) {
      return "The profile is rejected; see Accepted.";
    }
    if (selected == 0) {
      return "The nodeSelector matches no node.";
    }
    if (applied == selected) {
      return "All " + selected + " selected nodes report this profile's values applied.";
    }
    return applied
        + " of "
        + selected
        + " selected nodes report this profile's values applied; not yet: "
        + SafeText.names(facts.nodes().notApplied(), MAX_NAMES_IN_MESSAGE);
  }

  private static String conflictMessage(ProfileStatusFacts facts, Verdict verdict) {
    if (!verdict.status()) {
      return "No profile of equal priority sets a field differently.";
    }
    return SafeText.joinWithin(
        facts.conflicts().stream().map(ProfileConflict::message).toList(),
        " ",
        Integer.MAX_VALUE,
        Conditions.MAX_MESSAGE,
        " conflicts.");
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
