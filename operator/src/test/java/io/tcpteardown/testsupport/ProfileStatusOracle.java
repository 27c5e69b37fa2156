package io.tcpteardown.testsupport;

import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.operator.AgentSilence;
import io.tcpteardown.operator.NodeContribution;
import io.tcpteardown.operator.PressureTracker;
import io.tcpteardown.operator.ProfileStatusAssembler;
import io.tcpteardown.operator.ProfileValidations;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.rules.Resolver;
import io.tcpteardown.rules.Violation;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A profile's status computed from everything at once (every profile, every node, every
 * TcpTeardownNode), through the operator's own per-node contribution and assembly: the oracle the
 * incremental {@code ProfileStatusIndex} is held to, and the shortest way for a test to get a
 * status. The pressure tracker keeps only nodes that still have both a Node and a TcpTeardownNode.
 */
public final class ProfileStatusOracle {
  private final PressureTracker pressureTracker;
  private final ProfileValidations validations = new ProfileValidations();

  public ProfileStatusOracle(PressureTracker pressureTracker) {
    this.pressureTracker = pressureTracker;
  }

  public TcpTeardownProfileStatus compute(
      TcpTeardownProfile profile,
      Collection<TcpTeardownProfile> allProfiles,
      Collection<NodeFacts> nodes,
      Map<String, TcpTeardownNode> nodeObjects,
      Instant now) {
    Map<String, Boolean> rising = observe(nodes, nodeObjects);
    String name = profile.getMetadata().getName();
    List<Violation> violations = validations.of(profile);
    boolean accepted = violations.isEmpty();
    boolean podRule = accepted && Resolver.podRule(profile).isPresent();
    List<TcpTeardownProfile> acceptedProfiles = validations.accepted(allProfiles);
    List<NodeContribution> contributions =
        nodes.stream()
            .filter(n -> Resolver.selects(profile, n))
            .sorted(Comparator.comparing(NodeFacts::name))
            .map(
                node -> {
                  TcpTeardownNode object = nodeObjects.get(node.name());
                  return NodeContribution.of(
                      name,
                      podRule,
                      profile.getSpec() == null ? null : profile.getSpec().settings(),
                      node.name(),
                      accepted ? Resolver.resolveAccepted(node, acceptedProfiles) : null,
                      object == null ? null : object.getStatus(),
                      rising.getOrDefault(node.name(), false));
                })
            .toList();
    return ProfileStatusAssembler.assemble(
        profile, profile.getStatus(), violations, contributions, AgentSilence.NONE, now);
  }

  /**
   * Shows the pressure tracker every node's latest report: it forgets the nodes that lack a Node or
   * a TcpTeardownNode and answers, per node that has both, whether its counters rose between its
   * last two reports.
   */
  public Map<String, Boolean> observe(
      Collection<NodeFacts> nodes, Map<String, TcpTeardownNode> nodeObjects) {
    Map<String, Boolean> rising = new HashMap<>();
    Set<String> present =
        nodes.stream()
            .map(NodeFacts::name)
            .filter(nodeObjects::containsKey)
            .collect(Collectors.toSet());
    pressureTracker.retainOnly(present);
    for (String node : present) {
      rising.put(node, pressureTracker.countersRising(node, nodeObjects.get(node).getStatus()));
    }
    return rising;
  }
}
