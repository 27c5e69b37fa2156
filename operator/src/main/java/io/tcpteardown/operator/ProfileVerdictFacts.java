package io.tcpteardown.operator;

import io.tcpteardown.api.NodePodRule;
import io.tcpteardown.rules.Violation;
import java.util.List;
import java.util.Optional;

/**
 * What a profile's conditions' status and reason are decided from: the written-at-once part of its
 * status depends on nothing else (but for silent agents, which come with time, not with an event).
 *
 * @param violations the profile's safety violations (empty when accepted)
 * @param podRule the profile's pod rule when it is accepted and has one
 */
record ProfileVerdictFacts(
    Long generation,
    List<Violation> violations,
    Optional<NodePodRule> podRule,
    ProfileTally tally) {

  boolean accepted() {
    return violations.isEmpty();
  }
}
