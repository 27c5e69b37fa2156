package io.tcpteardown.operator;

import io.tcpteardown.api.NodePodRule;
import io.tcpteardown.rules.Violation;
import java.util.List;
import java.util.Optional;

/**
 * What a profile's conditions are decided from.
 *
 * @param violations the profile's safety violations (empty when accepted)
 * @param podRule the profile's pod rule when it is accepted and has one
 * @param pods its pods over the selected nodes, null without {@code podRule}
 * @param conflicts the field clashes, then the pod-rule clashes in node order
 */
record ProfileStatusFacts(
    Long generation,
    List<Violation> violations,
    SelectedNodes nodes,
    Optional<NodePodRule> podRule,
    ProfilePodStatus pods,
    List<ProfileConflict> conflicts) {

  boolean accepted() {
    return violations.isEmpty();
  }
}
