package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.HttpInNamespace;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.Sockets;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent that cannot reach the API server keeps the kernel as it is, keeps counting and serving
 * metrics, and catches up once the API server is reachable.
 */
@EndToEndTest
class AgentWithoutApiServerEndToEndTest {
  private static final int METRICS_PORT = 9102;

  @TempDir Path work;

  @Test
  void keepsCountingWhileTheApiServerIsUnreachableAndAppliesOnceItIsBack() throws Exception {
    try (NetworkNamespace namespace = NetworkNamespace.create("noapi");
        KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client);
        ChartServiceAccounts accounts = ChartServiceAccounts.install(client);
        AgentProcess agent = new AgentProcess(namespace, work)) {
      String node = fixtures.name("lonely");
      TcpTeardownNode object = new TcpTeardownNode();
      object.setMetadata(new ObjectMetaBuilder().withName(node).build());
      object.setSpec(
          TcpTeardownNodeSpec.of(
              TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 25),
              Map.of("finTimeoutSeconds", "test"),
              List.of("test"),
              List.of()));
      client.resource(object).create();
      // The chart's agent ServiceAccount, not admin.
      String kubeconfig = accounts.agentKubeconfig();
      agent.startAgent(
          kubeconfig,
          node,
          AgentProcess.DEFAULT_JVM_FLAGS,
          "--metrics-port",
          String.valueOf(METRICS_PORT),
          "--drift-check-interval",
          "1s",
          "--report-interval",
          "2s");
      List<SocketChannel> held = Sockets.timeWaitAndCloseWait(namespace, 40, 0);
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .untilAsserted(
                () -> {
                  String metrics = HttpInNamespace.get(namespace, METRICS_PORT, "/metrics");
                  assertThat(metrics)
                      .startsWith("HTTP/1.1 200")
                      .containsPattern(
                          "tcp_teardown_sockets\\{node=\""
                              + node
                              + "\",state=\"time_wait\"} (4\\d|[5-9]\\d)\\.0");
                  assertThat(HttpInNamespace.get(namespace, METRICS_PORT, "/healthz"))
                      .startsWith("HTTP/1.1 200");
                });
        assertThat(namespace.sysctl("net.ipv4.tcp_fin_timeout")).isEqualTo("60");
        assertThat(client.resources(TcpTeardownNode.class).withName(node).get().getStatus())
            .isNull();
        assertThat(agent.alive()).isTrue();

        agent.startRelay(kubeconfig);
        await()
            .atMost(Duration.ofSeconds(90))
            .untilAsserted(
                () -> {
                  assertThat(namespace.sysctl("net.ipv4.tcp_fin_timeout")).isEqualTo("25");
                  TcpTeardownNode reported =
                      client.resources(TcpTeardownNode.class).withName(node).get();
                  assertThat(reported.getStatus()).isNotNull();
                  assertThat(reported.getStatus().applied())
                      .containsEntry("net.ipv4.tcp_fin_timeout", "25");
                  assertThat(reported.getStatus().states().timeWait()).isGreaterThanOrEqualTo(40);
                });
        assertThat(agent.logText()).doesNotContainIgnoringCase("forbidden");
      } finally {
        Sockets.closeAll(held);
        client.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }
}
