package io.tcpteardown.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API server itself refuses a profile one past a count bound of its pod selectors (the schema's
 * maxProperties and maxItems, which every served version enforces; the length rules are CEL, which
 * this project's 1.20 test server predates, and ProfileValidation's Java twin), and stores one at
 * every bound.
 */
@ApiTest
class ProfileBoundsApiTest {
  @Test
  void aProfilePastASelectorCountBoundIsRefusedByTheApiServer() throws Exception {
    Map<String, NodeSelector> past = new LinkedHashMap<>();
    past.put("matchLabels", NodeSpecBoundsTest.maximal(n -> n + 1, 1, 1));
    past.put(
        "matchExpressions",
        NodeSpecBoundsTest.maximal(n -> 0, NodeSelector.MAX_EXPRESSIONS + 1, 1));
    past.put(
        "values", NodeSpecBoundsTest.maximal(n -> 0, 1, NodeSelectorRequirement.MAX_VALUES + 1));
    try (KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client)) {
      TcpTeardownProfile atBounds = NodeSpecBoundsTest.profile(0, NodeSpecBoundsTest.maximal());
      atBounds.getMetadata().setName(fixtures.name("bounds"));
      try {
        client.resource(atBounds).create();
        assertThat(
                client.resources(TcpTeardownProfile.class).withName(fixtures.name("bounds")).get())
            .isNotNull();
      } finally {
        client.resource(atBounds).delete();
      }
      for (var entry : past.entrySet()) {
        TcpTeardownProfile profile = NodeSpecBoundsTest.profile(1, entry.getValue());
        profile.getMetadata().setName(fixtures.name("past"));
        assertThatThrownBy(() -> client.resource(profile).create())
            .as(entry.getKey())
            .isInstanceOfSatisfying(
                KubernetesClientException.class,
                e -> {
                  assertThat(e.getCode()).isEqualTo(422);
                  assertThat(e.getMessage()).contains("spec.pods.podSelector", entry.getKey());
                });
      }
    }
  }
}
