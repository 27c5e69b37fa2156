package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.testsupport.ProfileStatusOracle;
import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A profile the API server admitted under a looser schema (a requirement without operator) gets
 * Accepted=False naming the field and the rule, alone; the other profiles' status is unaffected.
 */
@UnitTest
class MalformedProfileStatusTest {
  private static final List<NodeFacts> NODES =
      List.of(new NodeFacts("web-1", "u1", Map.of("tier", "web"), null));

  private static TcpTeardownProfile profile(String name, NodeSelector selector) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(name).withGeneration(1L).build());
    profile.setSpec(
        new TcpTeardownProfileSpec(selector, null, null, 30, null, null, null, null, null));
    return profile;
  }

  private static Condition accepted(TcpTeardownProfileStatus status) {
    return status.conditions().stream()
        .filter(c -> c.getType().equals(ProfileConditions.ACCEPTED))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aRequirementWithoutOperatorRejectsThatProfileOnly() {
    TcpTeardownProfile broken =
        profile(
            "broken",
            new NodeSelector(null, Arrays.asList(new NodeSelectorRequirement("tier", null, null))));
    TcpTeardownProfile good = profile("good", null);
    List<TcpTeardownProfile> all = List.of(broken, good);
    ProfileStatusOracle oracle = new ProfileStatusOracle(new PressureTracker());

    TcpTeardownProfileStatus brokenStatus =
        oracle.compute(broken, all, NODES, Map.of(), Instant.now());
    assertThat(accepted(brokenStatus).getStatus()).isEqualTo("False");
    assertThat(accepted(brokenStatus).getReason()).isEqualTo("Required");
    assertThat(accepted(brokenStatus).getMessage())
        .contains("spec.nodeSelector.matchExpressions[0].operator: Required value");

    TcpTeardownProfileStatus goodStatus = oracle.compute(good, all, NODES, Map.of(), Instant.now());
    assertThat(accepted(goodStatus).getStatus()).isEqualTo("True");
    assertThat(goodStatus.selectedNodes()).isEqualTo(1);
  }
}
