package io.tcpteardown.delivery;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.StalledConnections;
import io.tcpteardown.testsupport.StalledConnections.Network;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of the image without a Docker engine, after {@code package}: the files the
 * Dockerfile copies exist, and the image's exact command (its ENTRYPOINT, on a runtime jlinked with
 * the Dockerfile's module list) runs the built jar, and the operator on it reconciles against the
 * test API server.
 */
@EndToEndTest
class DockerfileEndToEndTest {
  private static final Path ROOT = Path.of("..");
  private static final Path JAR = Path.of("target/tcp-teardown.jar");
  private static final Path DOCKERFILE = DockerfileEntrypoint.DOCKERFILE;

  private record Run(int exit, String out) {}

  @BeforeAll
  static void jlinkTheImageRuntime() throws Exception {
    ImageRuntime.java();
  }

  private static Run run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), out);
  }

  /** The image's command (its ENTRYPOINT on the image runtime) with these arguments. */
  private static List<String> imageCommand(String... args) throws IOException {
    List<String> command =
        new ArrayList<>(DockerfileEntrypoint.command(DOCKERFILE, ImageRuntime.java(), JAR));
    command.addAll(List.of(args));
    return command;
  }

  private static Run image(String... args) throws Exception {
    return run(imageCommand(args));
  }

  @Test
  void everyPathTheDockerfileCopiesExistsAfterTheDocumentedBuild() throws Exception {
    assertThat(DockerfileEntrypoint.contextCopySources(DOCKERFILE))
        .isNotEmpty()
        .allSatisfy(source -> assertThat(ROOT.resolve(source)).exists());
    assertThat(DockerfileEntrypoint.buildStageCopySources(DOCKERFILE))
        .contains("/jre", "/src/operator/target/tcp-teardown.jar");
    assertThat(ROOT.resolve("operator/target/tcp-teardown.jar")).isRegularFile();
  }

  @Test
  void theEntrypointRunsTheJarWithTheImageFlags() throws Exception {
    assertThat(DockerfileEntrypoint.jvmFlags(DOCKERFILE))
        .contains("-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED")
        .anyMatch(f -> f.startsWith("-XX:MaxRAMPercentage="));
    Run version = image("--version");
    assertThat(version.exit()).as(version.out()).isZero();
    assertThat(version.out()).startsWith("tcp-teardown ");

    Run validate = image("validate", "-f", ROOT.resolve("examples").toString());
    assertThat(validate.exit()).as(validate.out()).isEqualTo(1);
    assertThat(validate.out())
        .contains(
            "TcpTeardownProfile/http-servers: valid",
            "TcpTeardownProfile/rejected-tw-recycle: rejected");
  }

  @Test
  void theTrimmedRuntimeHasWhatTheAgentNeedsToCount() throws Exception {
    // Read-only: the sysctls and the socket counts of this machine, by netlink through FFM.
    Run report = image("node-report", "--json");
    assertThat(report.exit()).as(report.out()).isZero();
    assertThat(report.out()).contains("\"countMethod\" : \"netlink\"", "net.ipv4.tcp_fin_timeout");
  }

  /**
   * The agent's two listeners (Jetty) on the trimmed runtime, in a namespace standing for a node;
   * no API server is needed to serve them.
   */
  @Test
  void theAgentServesItsProbeAndMetricsListenersOnTheTrimmedRuntime(@TempDir Path work)
      throws Exception {
    String kubeconfig =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: none
          cluster:
            server: https://127.0.0.1:1
            insecure-skip-tls-verify: true
        contexts:
        - name: none
          context:
            cluster: none
            user: none
        current-context: none
        users:
        - name: none
          user:
            token: none
        """;
    try (NetworkNamespace namespace = NetworkNamespace.create("image");
        AgentProcess agent = new AgentProcess(namespace, work)) {
      agent.startAgentWith(
          DockerfileEntrypoint.command(DOCKERFILE, ImageRuntime.java(), JAR),
          kubeconfig,
          "image",
          "--pods",
          "false",
          "--metrics-port",
          "9102",
          "--probe-port",
          "9103");
      Network node = Network.of(namespace);
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertThat(
                        StalledConnections.get(node, 9103, "/healthz", Duration.ofSeconds(5))
                            .statusLine())
                    .isEqualTo("HTTP/1.1 200 OK");
                assertThat(
                        StalledConnections.get(node, 9102, "/metrics", Duration.ofSeconds(5))
                            .statusLine())
                    .isEqualTo("HTTP/1.1 200 OK");
              });
      assertThat(agent.alive()).isTrue();
      assertThat(agent.logText()).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
    }
  }

  @Test
  void theOperatorRunsOnTheTrimmedRuntimeAndReconciles(@TempDir Path work) throws Exception {
    KubernetesClient client = TestCluster.client();
    Path kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, TestCluster.kubeconfig());
    List<String> command =
        imageCommand(
            "operator", "--leader-election", "false", "--health-port", "0", "--metrics-port", "0");
    Path log = work.resolve("operator.log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    Process operator = builder.start();
    try (ClusterFixtures fixtures = new ClusterFixtures(client)) {
      fixtures.node("image", "8Gi", Map.of("role", "web"));
      fixtures.profile("image", Map.of("role", "web"), spec().finTimeoutSeconds(30).build());
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                assertThat(operator.isAlive()).as(Files.readString(log)).isTrue();
                TcpTeardownNode node = fixtures.getNodeObject("image");
                assertThat(node).isNotNull();
                assertThat(node.getSpec().settings().finTimeoutSeconds()).isEqualTo(30);
                assertThat(fixtures.getProfile("image").getStatus().conditions())
                    .extracting(Condition::getType, Condition::getStatus)
                    .contains(tuple("Accepted", "True"));
              });
    } finally {
      operator.destroy();
      if (!operator.waitFor(20, TimeUnit.SECONDS)) {
        operator.destroyForcibly();
      }
    }
    assertThat(Files.readString(log))
        .doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
  }
}
