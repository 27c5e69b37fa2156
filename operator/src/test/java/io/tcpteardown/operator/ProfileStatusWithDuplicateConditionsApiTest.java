package io.tcpteardown.operator;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.HealthConditions;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.testsupport.RunningOperator;
import io.tcpteardown.tier.ApiTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CRDs key status.conditions by type. The 1.20.2 API server still admits two conditions of one
 * type through a JSON patch of a profile's status (anyone allowed to write it), and then refuses
 * every server-side apply of that status; the operator, which applies it, replaces such a status
 * with a JSON patch instead of failing on it forever.
 */
@ApiTest
class ProfileStatusWithDuplicateConditionsApiTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @RegisterExtension static final RunningOperator running = new RunningOperator();

  private static final String TIME = "\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"";
  private static final String TWO_READY =
      "{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Ready\","
          + "\"message\":\"m\","
          + TIME
          + "},{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"Pending\",\"message\":\"m\","
          + TIME
          + "}]}";

  private static void storeTwoReady(String name) {
    running
        .client()
        .resources(TcpTeardownProfile.class)
        .withName(name)
        .subresource("status")
        .patch(
            new PatchContext.Builder().withPatchType(PatchType.JSON).build(),
            "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + TWO_READY + "}]");
  }

  private static List<String> types(TcpTeardownProfile profile) {
    return profile.getStatus() == null || profile.getStatus().conditions() == null
        ? List.of()
        : profile.getStatus().conditions().stream().map(Condition::getType).toList();
  }

  @Test
  void theServerAdmitsTwoConditionsOfOneTypeAndThenRefusesServerSideApply() {
    var fixtures = running.fixtures();
    fixtures.profile("dup-apply", Map.of("tier", "none"), spec().finTimeoutSeconds(30).build());
    String name = fixtures.name("dup-apply");
    storeTwoReady(name);
    assertThat(types(fixtures.getProfile("dup-apply"))).containsExactly("Ready", "Ready");

    TcpTeardownProfile apply = new TcpTeardownProfile();
    apply.setMetadata(new ObjectMetaBuilder().withName(name).build());
    apply.setStatus(
        new TcpTeardownProfileStatus(
            1L,
            Conditions.carryTransitionTimes(
                List.of(),
                List.of(Conditions.of(HealthConditions.READY, true, "Ready", "ok", 1L)),
                Instant.now()),
            0,
            0,
            null,
            null,
            null));
    Throwable refused =
        catchThrowable(
            () ->
                running
                    .client()
                    .resource(apply)
                    .subresource("status")
                    .patch(
                        new PatchContext.Builder()
                            .withPatchType(PatchType.SERVER_SIDE_APPLY)
                            .withFieldManager("test")
                            .withForce(true)
                            .build()));
    assertThat(refused).isInstanceOf(KubernetesClientException.class);
    assertThat(ProfileStatusReconciler.duplicateConditionTypes((KubernetesClientException) refused))
        .as(refused.getMessage())
        .isTrue();
  }

  @Test
  void theOperatorReplacesAStatusWithTwoConditionsOfOneType() {
    var fixtures = running.fixtures();
    fixtures.node("dup-1", "8Gi", Map.of("tier", "dup"));
    fixtures.profile("dup", Map.of("tier", "dup"), spec().finTimeoutSeconds(30).build());
    await()
        .atMost(WAIT)
        .until(() -> types(fixtures.getProfile("dup")).contains(ProfileConditions.ACCEPTED));
    storeTwoReady(fixtures.name("dup"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<String> types = types(fixtures.getProfile("dup"));
              assertThat(types).contains(ProfileConditions.ACCEPTED, HealthConditions.READY);
              assertThat(types).doesNotHaveDuplicates();
            });
  }
}
