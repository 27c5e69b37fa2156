package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.operator.OperatorRuntime;
import io.tcpteardown.operator.OperatorSettings;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.RequestLog;
import io.tcpteardown.testsupport.Sockets;
import io.tcpteardown.testsupport.Specs;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.io.IOException;
import java.nio.channels.SocketChannel;
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
 * The operator in this JVM and three node agents as separate java processes, each in its own
 * network namespace standing for one node, against the real kube-apiserver. Each runs as the
 * chart's ServiceAccount of its kind (a TokenRequest token, the chart's RBAC), not as admin: every
 * request they really make is proven allowed, and none is refused.
 */
@EndToEndTest
class AgentEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String FIN_TIMEOUT = "net.ipv4.tcp_fin_timeout";
  private static final String ORPHAN_RETRIES = "net.ipv4.tcp_orphan_retries";
  private static final String MAX_TW_BUCKETS = "net.ipv4.tcp_max_tw_buckets";
  private static final String TW_REUSE = "net.ipv4.tcp_tw_reuse";
  private static final String TIMESTAMPS = "net.ipv4.tcp_timestamps";
  private static final List<String> NODES = List.of("alpha", "beta", "gamma");

  @TempDir Path work;

  private KubernetesClient client;
  private ChartServiceAccounts accounts;
  private final RequestLog operatorRequests = new RequestLog();
  private KubernetesClient operatorClient;
  private OperatorRuntime operator;
  private ClusterFixtures fixtures;
  private final List<NetworkNamespace> namespaces = new ArrayList<>();
  private final List<AgentProcess> agents = new ArrayList<>();
  private final Map<String, String> originals = new java.util.HashMap<>();

  @BeforeEach
  void startOperatorAndAgents() throws IOException {
    for (int i = 0; i < NODES.size(); i++) {
      namespaces.add(NetworkNamespace.create("e2e"));
    }
    client = TestCluster.client();
    fixtures = new ClusterFixtures(client);
    String lease = fixtures.name("lease");
    accounts =
        ChartServiceAccounts.install(
            client, Map.of("operator.leaseName", lease), UnaryOperator.identity());
    operatorClient = ChartServiceAccounts.client(accounts.operatorKubeconfig(), operatorRequests);
    operator =
        OperatorRuntime.start(
            operatorClient,
            new OperatorSettings(true, lease, ChartServiceAccounts.NAMESPACE, 0, 0));
    String kubeconfig = accounts.agentKubeconfig();
    for (int i = 0; i < NODES.size(); i++) {
      fixtures.node(NODES.get(i), "8Gi", Map.of("role", "web"));
      Path dir = Files.createDirectories(work.resolve(NODES.get(i)));
      agents.add(
          new AgentProcess(namespaces.get(i), dir)
              .start(
                  kubeconfig,
                  fixtures.name(NODES.get(i)),
                  "--drift-check-interval",
                  "1s",
                  "--report-interval",
                  "3s"));
    }
    NetworkNamespace first = namespaces.getFirst();
    for (String key : List.of(FIN_TIMEOUT, ORPHAN_RETRIES, MAX_TW_BUCKETS, TW_REUSE, TIMESTAMPS)) {
      originals.put(key, first.sysctl(key));
    }
  }

  @AfterEach
  void stopEverything() throws Exception {
    try {
      for (AgentProcess agent : agents) {
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
      namespaces.forEach(NetworkNamespace::close);
    }
  }

  @Test
  void profilesReachTheKernelOfEveryNodeFollowEditsAreKeptAndRestored() throws Exception {
    // Every node gets a TcpTeardownNode with no settings; each agent reports its originals
    // untouched.
    for (String node : NODES) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(status(node))
                      .isNotNull()
                      .satisfies(
                          s -> assertThat(Conditions.isTrue(s.conditions(), "Applied")).isTrue()));
    }

    fixtures.profile(
        "web",
        Map.of("role", "web"),
        Specs.spec()
            .finTimeoutSeconds(20)
            .orphanRetries(3)
            .maxTwBuckets(50_000)
            .twReuse(TwReuse.Enabled)
            .timestamps(Timestamps.Enabled)
            .build());
    Map<String, String> expected =
        Map.of(
            FIN_TIMEOUT,
            "20",
            ORPHAN_RETRIES,
            "3",
            MAX_TW_BUCKETS,
            "50000",
            TW_REUSE,
            "1",
            TIMESTAMPS,
            "1");
    List<SocketChannel> held = Sockets.timeWaitAndCloseWait(namespaces.getFirst(), 200, 30);
    try {
      for (int i = 0; i < NODES.size(); i++) {
        NetworkNamespace namespace = namespaces.get(i);
        String node = NODES.get(i);
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> {
                  for (var entry : expected.entrySet()) {
                    assertThat(namespace.sysctl(entry.getKey()))
                        .as(node + " " + entry.getKey())
                        .isEqualTo(entry.getValue());
                  }
                  TcpTeardownNodeStatus status = status(node);
                  assertThat(status.applied()).containsAllEntriesOf(expected);
                  assertThat(status.original())
                      .containsEntry(FIN_TIMEOUT, originals.get(FIN_TIMEOUT));
                  assertThat(status.observedGeneration())
                      .isEqualTo(fixtures.getNodeObject(node).getMetadata().getGeneration());
                  assertThat(Conditions.isTrue(status.conditions(), "Applied")).isTrue();
                });
      }
      // Live counts from the first node's namespace.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                TcpTeardownNodeStatus status = status(NODES.getFirst());
                assertThat(status.states().timeWait()).isGreaterThanOrEqualTo(200);
                assertThat(status.states().closeWait()).isGreaterThanOrEqualTo(30);
              });
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          Conditions.isTrue(
                              fixtures.getProfile("web").getStatus().conditions(), "Applied"))
                      .isTrue());
    } finally {
      Sockets.closeAll(held);
    }

    // Edit the profile: the values follow. maxOrphans is node-wide and does not exist in a node's
    // own network
    // namespace here: each agent reports that field as an error and applies the rest.
    fixtures.updateProfile(
        "web",
        Map.of("role", "web"),
        Specs.spec()
            .finTimeoutSeconds(40)
            .orphanRetries(3)
            .maxTwBuckets(50_000)
            .twReuse(TwReuse.Enabled)
            .timestamps(Timestamps.Enabled)
            .maxOrphans(8192)
            .build());
    for (int i = 0; i < NODES.size(); i++) {
      NetworkNamespace namespace = namespaces.get(i);
      String node = NODES.get(i);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(namespace.sysctl(FIN_TIMEOUT)).isEqualTo("40");
                TcpTeardownNodeStatus status = status(node);
                assertThat(status.applied())
                    .containsEntry(FIN_TIMEOUT, "40")
                    .doesNotContainKey("net.ipv4.tcp_max_orphans");
                assertThat(Conditions.find(status.conditions(), "Error"))
                    .hasValueSatisfying(
                        c -> {
                          assertThat(c.getStatus()).isEqualTo("True");
                          assertThat(c.getReason()).isEqualTo("SysctlFailed");
                          assertThat(c.getMessage())
                              .contains("net.ipv4.tcp_max_orphans does not exist");
                        });
              });
    }

    // Someone changes a value by hand on the second node: it is written back, counted and reported.
    NetworkNamespace second = namespaces.get(1);
    second.setSysctl(FIN_TIMEOUT, "59");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(second.sysctl(FIN_TIMEOUT)).isEqualTo("40");
              assertThat(status(NODES.get(1)).driftCorrections()).isGreaterThanOrEqualTo(1);
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace("default").list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getInvolvedObject().getName())
                              .isEqualTo(fixtures.name(NODES.get(1)));
                          assertThat(e.getReason()).isEqualTo("DriftCorrected");
                          assertThat(e.getMessage()).contains(FIN_TIMEOUT, "59", "40");
                        }));

    // Stopping an agent restores nothing.
    agents.get(2).stop();
    assertThat(namespaces.get(2).sysctl(FIN_TIMEOUT)).isEqualTo("40");

    // Deleting the profile brings the originals back on the nodes whose agents run.
    fixtures.deleteProfile("web");
    for (int i = 0; i < 2; i++) {
      NetworkNamespace namespace = namespaces.get(i);
      String node = NODES.get(i);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                for (String key : expected.keySet()) {
                  assertThat(namespace.sysctl(key))
                      .as(node + " " + key)
                      .isEqualTo(originals.get(key));
                }
                assertThat(status(node).applied()).isEmpty();
              });
    }
    assertThat(namespaces.get(2).sysctl(FIN_TIMEOUT)).isEqualTo("40");
    assertThat(agents.get(0).alive()).as(agents.get(0).logText()).isTrue();
    assertThat(operator.isLeader()).isTrue();
    assertThat(operatorRequests.refused()).as("requests refused to the operator").isEmpty();
    for (AgentProcess agent : agents) {
      assertThat(agent.logText()).as("agent log").doesNotContainIgnoringCase("forbidden");
    }
  }

  private TcpTeardownNodeStatus status(String node) {
    TcpTeardownNode object = fixtures.getNodeObject(node);
    return object == null ? null : object.getStatus();
  }
}
