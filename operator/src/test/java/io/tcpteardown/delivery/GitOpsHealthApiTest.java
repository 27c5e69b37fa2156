package io.tcpteardown.delivery;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.HealthJudges;
import io.tcpteardown.testsupport.HealthJudges.FluxHealth;
import io.tcpteardown.testsupport.HealthJudges.Kstatus;
import io.tcpteardown.testsupport.RunningOperator;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A profile walks Progressing, Healthy and Degraded against the real API server (the operator in
 * this JVM, the test playing the node's agent), judged on the objects read back by kstatus's rules,
 * the chart's Argo CD script in Lua 5.1 and the Flux expressions of docs/gitops.md; {@code kubectl
 * wait --for=condition=Ready} returns once the profile is Ready.
 */
@ApiTest
class GitOpsHealthApiTest {
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension static final RunningOperator running = new RunningOperator();

  private static ClusterFixtures fixtures() {
    return running.fixtures();
  }

  record Verdicts(Kstatus kstatus, String argoCd, FluxHealth flux) {}

  /** The object as the API server returns it (the kind's own resource, read as a tree). */
  private static JsonNode read(String plural, String name) throws Exception {
    Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> type =
        plural.equals("tcpteardownprofiles")
            ? io.tcpteardown.api.TcpTeardownProfile.class
            : TcpTeardownNode.class;
    var context =
        io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.fromResourceType(type);
    GenericKubernetesResource object =
        running.client().genericKubernetesResources(context).withName(name).get();
    return JSON.readTree(running.client().getKubernetesSerialization().asJson(object));
  }

  private static Verdicts judge(JsonNode object) throws Exception {
    return new Verdicts(
        HealthJudges.kstatus(object),
        HealthJudges.argoCd(object).status(),
        HealthJudges.flux(object, HealthJudges.FLUX));
  }

  @Test
  void aProfileWalksProgressingHealthyAndDegradedForEveryTool() throws Exception {
    fixtures().node("x", "8Gi", Map.of());
    fixtures().profile("p", Map.of(), spec().finTimeoutSeconds(30).build());
    String profile = fixtures().name("p");
    String node = fixtures().name("x");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(judge(read("tcpteardownprofiles", profile)))
                    .isEqualTo(
                        new Verdicts(Kstatus.IN_PROGRESS, "Progressing", FluxHealth.IN_PROGRESS)));

    // The agent answers: the value applied and read back, reported now.
    TcpTeardownNode object = fixtures().getNodeObject("x");
    object.setStatus(
        new TcpTeardownNodeStatus(
            object.getMetadata().getGeneration(),
            Map.of("net.ipv4.tcp_fin_timeout", "30"),
            Map.of(),
            new StateCounts(0, 0, 3, 0, 0, 0, 0),
            new KernelCounters(0, 0),
            0L,
            List.of(),
            null,
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
    running.client().resource(object).updateStatus();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(judge(read("tcpteardownprofiles", profile)))
                    .isEqualTo(new Verdicts(Kstatus.CURRENT, "Healthy", FluxHealth.CURRENT)));
    assertThat(kubectlWaitReady(profile).exitCode()).isZero();

    // Edited into a spec the safety rules reject: nothing moves until someone acts.
    fixtures().updateProfile("p", Map.of(), spec().twRecycle(true).finTimeoutSeconds(30).build());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode rejected = read("tcpteardownprofiles", profile);
              assertThat(judge(rejected))
                  .isEqualTo(new Verdicts(Kstatus.FAILED, "Degraded", FluxHealth.FAILED));
              assertThat(HealthJudges.argoCd(rejected).message())
                  .contains("NotAccepted", "twRecycle");
            });
    assertThat(judge(read("tcpteardownnodes", node)).argoCd()).isIn("Healthy", "Progressing");
  }

  private record Result(int exitCode, String output) {}

  private static Result kubectlWaitReady(String profile) throws Exception {
    Path kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    try {
      Files.writeString(kubeconfig, TestCluster.kubeconfig());
      Process process =
          new ProcessBuilder(
                  "kubectl",
                  "--kubeconfig",
                  kubeconfig.toString(),
                  "wait",
                  "--for=condition=Ready",
                  "--timeout=30s",
                  "ttp/" + profile)
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = process.waitFor();
      assertThat(output).as("kubectl wait").contains("condition met");
      return new Result(exit, output);
    } finally {
      Files.deleteIfExists(kubeconfig);
    }
  }
}
