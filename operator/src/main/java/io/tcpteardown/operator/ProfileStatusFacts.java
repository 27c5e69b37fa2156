package io.tcpteardown.operator;

import java.util.List;

/**
 * What a profile's conditions are decided from, messages included.
 *
 * @param pods its pods over the selected nodes, null without a pod rule
 * @param conflicts the field clashes, then the pod-rule clashes in node order
 */
record ProfileStatusFacts(
    ProfileVerdictFacts verdictFacts,
    SelectedNodes nodes,
    ProfilePodStatus pods,
    List<ProfileConflict> conflicts) {}
