package io.tcpteardown.crd;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.HealthConditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kubectl against the 1.20.2 API server with this project's CRDs (crds/): {@code kubectl get
 * tcpteardown} lists both kinds, {@code kubectl get ttp}/{@code ttn} print their columns in the
 * documented order with Ready and Age, {@code kubectl explain} prints the descriptions of root,
 * spec and status, and the server refuses conditions that are not metav1.Conditions while admitting
 * those the operator and the agent write.
 */
@ApiTest
class KubectlOnCrdsApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static KubernetesClient client;
  private static ClusterFixtures fixtures;
  private static Path kubeconfig;

  @BeforeAll
  static void start() throws IOException {
    client = TestCluster.client();
    fixtures = new ClusterFixtures(client);
    kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    Files.writeString(kubeconfig, TestCluster.kubeconfig());
  }

  @AfterAll
  static void stop() throws IOException {
    fixtures.close();
    client.close();
    Files.deleteIfExists(kubeconfig);
  }

  private record Result(int exitCode, String output) {}

  private static Result kubectl(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), output);
  }

  /** The column names of kubectl's table, in order. */
  private static List<String> header(String output) {
    return Arrays.asList(output.lines().findFirst().orElse("").trim().split("\\s+"));
  }

  private static List<Condition> written(Condition... conditions) {
    return Conditions.carryTransitionTimes(List.of(), List.of(conditions), Instant.now());
  }

  /** A profile and a node object, each with a status as the operator and the agent write it. */
  private static void profileAndNode(String base) {
    fixtures.profile(base, Map.of("tier", "web"), spec().finTimeoutSeconds(30).build());
    TcpTeardownProfile profile = fixtures.getProfile(base);
    profile.setStatus(
        new TcpTeardownProfileStatus(
            1L,
            written(
                Conditions.of(HealthConditions.READY, true, "Ready", "Applied on 1 of 1.", 1L),
                Conditions.of(
                    ProfileConditions.ACCEPTED, true, "Valid", "Passes every safety rule.", 1L)),
            1,
            1,
            null,
            null,
            null));
    client.resource(profile).updateStatus();

    fixtures.node(base, "8Gi", Map.of("tier", "web"));
    TcpTeardownNode node = new TcpTeardownNode();
    node.setMetadata(
        new ObjectMetaBuilder()
            .withName(fixtures.name(base))
            .withLabels(Map.of(ClusterFixtures.RUN_LABEL, fixtures.run()))
            .build());
    node.setSpec(
        TcpTeardownNodeSpec.of(
            TeardownSettings.NONE.with(io.tcpteardown.api.ManagedSysctl.FIN_TIMEOUT, 30),
            Map.of(),
            List.of(fixtures.name(base)),
            List.of()));
    TcpTeardownNode created = client.resource(node).create();
    created.setStatus(
        new TcpTeardownNodeStatus(
            created.getMetadata().getGeneration(),
            Map.of(),
            Map.of(),
            new StateCounts(0L, 0L, 7L, 0L, 0L, 0L, 0L),
            null,
            0L,
            written(
                Conditions.of(HealthConditions.READY, true, "Ready", "", 1L),
                Conditions.of(NodeConditions.APPLIED, true, "Applied", "Applied.", 1L)),
            null,
            Instant.now().toString()));
    client.resource(created).updateStatus();
  }

  @Test
  void kubectlGetTcpteardownListsBothKindsWithTheirColumnsInOrder() throws Exception {
    profileAndNode("ux");
    String selector = ClusterFixtures.RUN_LABEL + "=" + fixtures.run();
    // Discovery follows a new CRD by a few seconds.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Result all = kubectl("get", "tcpteardown", "-l", selector);
              assertThat(all.exitCode()).as(all.output()).isZero();
              assertThat(all.output())
                  .contains("tcpteardownprofile.tcpteardown.io/" + fixtures.name("ux"))
                  .contains("tcpteardownnode.tcpteardown.io/" + fixtures.name("ux"));
            });

    Result profiles = kubectl("get", "ttp", fixtures.name("ux"));
    assertThat(profiles.exitCode()).as(profiles.output()).isZero();
    assertThat(header(profiles.output()))
        .containsExactly("NAME", "READY", "ACCEPTED", "SELECTED", "APPLIED", "TIME_WAIT", "AGE");
    // TIME_WAIT is empty here (no totals yet): kubectl prints nothing, then the age.
    String[] profileRow = profiles.output().lines().skip(1).findFirst().orElseThrow().split("\\s+");
    assertThat(profileRow)
        .containsExactly(fixtures.name("ux"), "True", "True", "1", "1", profileRow[5]);
    assertThat(profileRow[5]).matches("[0-9]+[smhd]");

    Result nodes = kubectl("get", "ttn", fixtures.name("ux"));
    assertThat(nodes.exitCode()).as(nodes.output()).isZero();
    assertThat(header(nodes.output()))
        .containsExactly(
            "NAME",
            "PROFILES",
            "READY",
            "APPLIED",
            "TIME_WAIT",
            "FIN_WAIT2",
            "CLOSE_WAIT",
            "ORPHANS",
            "ADVICE",
            "AGE");
    assertThat(nodes.output().lines().skip(1).findFirst().orElseThrow().split("\\s+"))
        .startsWith(fixtures.name("ux"), "[\"" + fixtures.name("ux") + "\"]", "True", "True", "7");
  }

  @Test
  void kubectlExplainDescribesRootSpecAndStatusOfBothKinds() throws Exception {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Result spec = kubectl("explain", "ttp.spec");
              assertThat(spec.exitCode()).as(spec.output()).isZero();
              assertThat(spec.output().replaceAll("\\s+", " "))
                  .contains("What the profile asks for: which nodes (nodeSelector)");
            });
    assertThat(kubectl("explain", "ttp").output().replaceAll("\\s+", " "))
        .contains("TCP teardown settings");
    assertThat(kubectl("explain", "ttp.status").output().replaceAll("\\s+", " "))
        .contains("Written by the operator: conditions");
    assertThat(kubectl("explain", "ttn").output().replaceAll("\\s+", " "))
        .contains("One per node, named after the node and owned by it");
    assertThat(kubectl("explain", "ttn.spec").output().replaceAll("\\s+", " "))
        .contains("the settings resolved for this node");
    assertThat(kubectl("explain", "ttn.status").output().replaceAll("\\s+", " "))
        .contains("Written by the node's agent");
    assertThat(kubectl("explain", "ttp.status.conditions.status").output())
        .contains("True, False, Unknown");
  }

  private static void patchProfileStatus(String name, String statusJson) {
    client
        .resources(TcpTeardownProfile.class)
        .withName(name)
        .subresource("status")
        .patch(
            new PatchContext.Builder().withPatchType(PatchType.JSON).build(),
            "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + statusJson + "}]");
  }

  private static void patchNodeStatus(String name, String statusJson) {
    client
        .resources(TcpTeardownNode.class)
        .withName(name)
        .subresource("status")
        .patch(
            new PatchContext.Builder().withPatchType(PatchType.JSON).build(),
            "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + statusJson + "}]");
  }

  private static String condition(String fields) {
    return "{\"conditions\":[{" + fields + "}]}";
  }

  @Test
  void conditionsThatAreNotMetav1ConditionsAreRefused() {
    profileAndNode("refused");
    String profile = fixtures.name("refused");
    String time = "\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"";
    Map<String, String> refused =
        Map.of(
            "a condition without reason",
            condition("\"type\":\"Ready\",\"status\":\"True\",\"message\":\"m\"," + time),
            "a status Maybe",
            condition(
                "\"type\":\"Ready\",\"status\":\"Maybe\",\"reason\":\"Ready\",\"message\":\"m\","
                    + time),
            "a condition without lastTransitionTime",
            condition(
                "\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Ready\",\"message\":\"m\""),
            "a condition without message",
            condition("\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Ready\"," + time),
            "a reason with spaces",
            condition(
                "\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"all good\",\"message\":\"m\","
                    + time),
            "a lastTransitionTime that is not a time",
            condition(
                "\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Ready\",\"message\":\"m\","
                    + "\"lastTransitionTime\":\"yesterday\""));
    for (var status : refused.entrySet()) {
      assertThat(catchThrowable(() -> patchProfileStatus(profile, status.getValue())))
          .as("TcpTeardownProfile: " + status.getKey())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("status.conditions");
      assertThat(catchThrowable(() -> patchNodeStatus(profile, status.getValue())))
          .as("TcpTeardownNode: " + status.getKey())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("status.conditions");
    }
    assertThatThrownBy(
            () ->
                patchProfileStatus(
                    profile,
                    condition("\"type\":\"Ready\",\"status\":\"True\",\"message\":\"m\"," + time)))
        .hasMessageContaining("reason");
    assertThatThrownBy(
            () ->
                patchProfileStatus(
                    profile,
                    condition(
                        "\"type\":\"Ready\",\"status\":\"Maybe\",\"reason\":\"Ready\","
                            + "\"message\":\"m\","
                            + time)))
        .hasMessageContaining("Maybe");
    // Two conditions of one type: the 1.20.2 server admits them through a JSON patch of the status,
    // see ProfileStatusWithDuplicateConditionsApiTest.
    // What the operator and the agent wrote (profileAndNode) is still there: nothing refused
    // replaced it.
    assertThat(
            Conditions.isTrue(
                fixtures.getProfile("refused").getStatus().conditions(), HealthConditions.READY))
        .isTrue();
    assertThat(
            Conditions.isTrue(
                fixtures.getNodeObject("refused").getStatus().conditions(), HealthConditions.READY))
        .isTrue();
  }
}
