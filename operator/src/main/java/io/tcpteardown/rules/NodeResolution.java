package io.tcpteardown.rules;

import io.tcpteardown.api.HeldBackSetting;
import io.tcpteardown.api.NodePodRule;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TeardownSettings;
import java.util.List;
import java.util.Map;

/**
 * The settings one node gets from the accepted profiles that select it.
 *
 * @param sources field name to the profile that won it
 * @param profiles accepted profiles selecting the node, sorted by name
 * @param conflicts equal-priority clashes on this node
 * @param podRules the pod rules of the selecting profiles that have spec.pods, sorted by profile
 */
public record NodeResolution(
    String node,
    TeardownSettings settings,
    Map<String, String> sources,
    List<String> profiles,
    List<HeldBackSetting> heldBack,
    List<FieldConflict> conflicts,
    List<NodePodRule> podRules) {

  public TcpTeardownNodeSpec toSpec() {
    return TcpTeardownNodeSpec.of(settings, sources, profiles, heldBack, podRules);
  }

  /**
   * Two profiles of equal priority set one field to different values on one node; the winner sorts
   * first.
   */
  public record FieldConflict(String field, String winner, String loser) {}
}
