package io.tcpteardown.rules;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD on an API server: childEhashEntries is admitted from 0 to 16777216 and refused
 * outside (the schema's minimum and maximum); the floor and the twice-maxTwBuckets rule are CEL,
 * which this 1.20 test server predates, so their Java twins judge the stored profile.
 */
@ApiTest
class ChildEhashCrdApiTest {
  @Test
  void theRangeIsTheSchemasAndTheFloorIsTheJavaTwinsOnAnOldServer() throws Exception {
    try (KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client)) {
      for (int admitted : List.of(0, 8192, 16_777_216)) {
        TcpTeardownProfile stored =
            fixtures.profile(
                "ehash-" + admitted, Map.of(), spec().childEhashEntries(admitted).build());
        assertThat(stored.getSpec().childEhashEntries()).isEqualTo(admitted);
        assertThat(ProfileValidation.validate(stored)).isEmpty();
      }
      for (int refused : List.of(-1, 16_777_217)) {
        assertThatThrownBy(
                () ->
                    fixtures.profile(
                        "ehash-refused", Map.of(), spec().childEhashEntries(refused).build()))
            .as("childEhashEntries %d", refused)
            .isInstanceOfSatisfying(
                KubernetesClientException.class,
                e -> {
                  assertThat(e.getCode()).isEqualTo(422);
                  assertThat(e.getMessage()).contains("spec.childEhashEntries");
                });
      }
      TcpTeardownProfile belowFloor =
          fixtures.profile("ehash-small", Map.of(), spec().childEhashEntries(1024).build());
      assertThat(ProfileValidation.validate(belowFloor))
          .extracting(Violation::rule)
          .containsExactly(SafetyRules.RULE_CHILD_EHASH_FLOOR);
    }
  }
}
