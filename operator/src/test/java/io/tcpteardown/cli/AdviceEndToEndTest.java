package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.operator.OperatorRuntime;
import io.tcpteardown.operator.OperatorSettings;
import io.tcpteardown.rules.advice.AdviceProfiles;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.HttpInNamespace;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.RequestLog;
import io.tcpteardown.testsupport.Specs;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Advice from end to end: a node agent as its own process in a network namespace standing for the
 * node, whose values were set outside the product to reuse TIME_WAIT with timestamps off; the
 * operator in this JVM; a real kube-apiserver. The advice reaches status.advice, kubectl get ttn
 * and the agent's metric; a profile that keeps the value is named by the advice and counts the node
 * in its adviceNodes; {@code tcp-teardown advise} prints a profile that passes {@code validate} and
 * outranks it, and applying that profile sets the value in the namespace and makes the advice go
 * away.
 */
@EndToEndTest
class AdviceEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String TW_REUSE = "net.ipv4.tcp_tw_reuse";
  private static final String TIMESTAMPS = "net.ipv4.tcp_timestamps";

  @TempDir Path work;

  private NetworkNamespace namespace;
  private KubernetesClient client;
  private ChartServiceAccounts accounts;
  private KubernetesClient operatorClient;
  private OperatorRuntime operator;
  private ClusterFixtures fixtures;
  private AgentProcess agent;
  private String previousKubeconfig;
  private final List<String> applied = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    namespace = NetworkNamespace.create("advice");
    namespace.setSysctl(TW_REUSE, "1");
    namespace.setSysctl(TIMESTAMPS, "0");
    client = TestCluster.client();
    fixtures = new ClusterFixtures(client);
    String lease = fixtures.name("lease");
    accounts =
        ChartServiceAccounts.install(
            client, Map.of("operator.leaseName", lease), UnaryOperator.identity());
    operatorClient = ChartServiceAccounts.client(accounts.operatorKubeconfig(), new RequestLog());
    operator =
        OperatorRuntime.start(
            operatorClient,
            new OperatorSettings(true, lease, ChartServiceAccounts.NAMESPACE, 0, 0));
    String node = fixtures.name("node");
    fixtures.node("node", "8Gi", Map.of(AdviceProfiles.HOSTNAME_LABEL, node));
    agent =
        new AgentProcess(namespace, Files.createDirectories(work.resolve("agent")))
            .start(
                accounts.agentKubeconfig(),
                node,
                "--drift-check-interval",
                "1s",
                "--report-interval",
                "2s",
                "--metrics-port",
                "9102");
    // advise runs as its user would: with a kubeconfig (here the admin's of the test server).
    Path kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, TestCluster.kubeconfig());
    previousKubeconfig = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (previousKubeconfig == null) {
        System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
      } else {
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previousKubeconfig);
      }
      applied.forEach(n -> client.resources(TcpTeardownProfile.class).withName(n).delete());
      if (agent != null) {
        agent.close();
      }
      if (fixtures != null) {
        fixtures.close();
      }
      if (operator != null) {
        operator.close();
      }
      if (operatorClient != null) {
        operatorClient.close();
      }
      if (accounts != null) {
        accounts.close();
      }
      if (client != null) {
        client.close();
      }
    } finally {
      if (namespace != null) {
        namespace.close();
      }
    }
  }

  private TcpTeardownNodeStatus status() {
    TcpTeardownNode node = fixtures.getNodeObject("node");
    return node == null ? null : node.getStatus();
  }

  private static List<AdviceEntry> timestampsAdvice(TcpTeardownNodeStatus status) {
    if (status == null || status.advice() == null) {
      return List.of();
    }
    return status.advice().stream().filter(a -> "timestamps".equals(a.field())).toList();
  }

  @Test
  void adviceReachesTheStatusTheMetricAndAdviseAndApplyingWhatAdvisePrintedMakesItGoAway()
      throws Exception {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(timestampsAdvice(status()))
                    .singleElement()
                    .satisfies(
                        a -> {
                          assertThat(a.scope()).isEqualTo(AdviceEntry.SCOPE_HOST_NETWORK);
                          assertThat(a.current()).isEqualTo("Disabled");
                          assertThat(a.suggested()).isEqualTo("Enabled");
                          assertThat(a.reason()).isEqualTo("UnsafeCurrentValue");
                          assertThat(a.message()).contains("tcp_tw_reuse is Enabled");
                        }));
    assertThat(status().adviceCount()).isGreaterThanOrEqualTo(1);
    assertThat(adviceColumn()).isEqualTo(String.valueOf(status().adviceCount()));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(HttpInNamespace.get(namespace, 9102, "/metrics"))
                    .containsPattern(
                        "tcp_teardown_advice\\{[^}]*reason=\"UnsafeCurrentValue\",[^}]*"
                            + "scope=\"HostNetwork\"[^}]*} 1"));

    // A profile that keeps timestamps off on the node: the advice names it, and its status counts
    // the node as advised on a field it sets.
    String keep =
        fixtures
            .profile("keep", Map.of(), Specs.spec().timestamps(Timestamps.Disabled).build())
            .getMetadata()
            .getName();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(timestampsAdvice(status()))
                  .singleElement()
                  .satisfies(a -> assertThat(a.profile()).isEqualTo(keep));
              assertThat(fixtures.getProfile("keep").getStatus().adviceNodes()).isEqualTo(1);
            });

    CliRun advise = CliRun.of("advise");
    assertThat(advise.exit()).as(advise.err()).isZero();
    CliRun validate = CliRun.withInput(advise.out(), "validate", "-f", "-");
    assertThat(validate.exit()).as(validate.out() + validate.err()).isZero();
    String node = fixtures.name("node");
    List<JsonNode> ours = new ArrayList<>();
    var documents =
        new YAMLMapper().readValues(new YAMLFactory().createParser(advise.out()), JsonNode.class);
    while (documents.hasNextValue()) {
      JsonNode doc = documents.nextValue();
      if (doc != null && doc.path("spec").path("nodeSelector").toString().contains(node)) {
        ours.add(doc);
      }
    }
    assertThat(ours)
        .as(advise.out())
        .anySatisfy(
            d -> assertThat(d.path("spec").path("timestamps").asText()).isEqualTo("Enabled"));
    assertThat(advise.out())
        .contains("# - " + node + ": UnsafeCurrentValue; current Disabled (set by profile " + keep)
        .contains("# Priority 1 wins over " + keep + " (priority 0)");

    // Apply what advise printed for this node, as kubectl apply would.
    for (JsonNode doc : ours) {
      TcpTeardownProfile profile = new YAMLMapper().treeToValue(doc, TcpTeardownProfile.class);
      client.resource(profile).create();
      applied.add(profile.getMetadata().getName());
    }

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(namespace.sysctl(TIMESTAMPS)).isEqualTo("1");
              TcpTeardownNodeStatus status = status();
              assertThat(status.applied()).containsEntry(TIMESTAMPS, "1");
              assertThat(timestampsAdvice(status)).isEmpty();
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(HttpInNamespace.get(namespace, 9102, "/metrics"))
                    .containsPattern(
                        "tcp_teardown_advice\\{[^}]*reason=\"UnsafeCurrentValue\",[^}]*"
                            + "scope=\"HostNetwork\"[^}]*} 0"));
    // The profiles' status counts no node with advice about their fields any more.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(fixtures.getProfile("keep").getStatus().adviceNodes()).isNull();
              TcpTeardownProfile profile =
                  client.resources(TcpTeardownProfile.class).withName(applied.getFirst()).get();
              assertThat(profile.getStatus()).isNotNull();
              assertThat(profile.getStatus().selectedNodes()).isEqualTo(1);
              assertThat(profile.getStatus().adviceNodes()).isNull();
            });
  }

  /** The ADVICE column of {@code kubectl get ttn NODE}, as kubectl prints it. */
  private String adviceColumn() throws Exception {
    Process kubectl =
        new ProcessBuilder(
                "kubectl",
                "--kubeconfig",
                work.resolve("kubeconfig").toString(),
                "get",
                "ttn",
                fixtures.name("node"))
            .redirectErrorStream(true)
            .start();
    String output = new String(kubectl.getInputStream().readAllBytes());
    assertThat(kubectl.waitFor()).as(output).isZero();
    List<String> lines = output.lines().toList();
    int column = lines.getFirst().indexOf("ADVICE");
    assertThat(column).as(output).isNotNegative();
    return lines.get(1).substring(column).trim().split("\\s+")[0];
  }
}
