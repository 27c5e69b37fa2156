package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events and status writes that cannot reach the API server (their client points at a closed port)
 * never hold up the kernel loop: drift is written back within one drift-check interval, again and
 * again. The agent runs in this JVM on a fake proc root (plain files standing for
 * /proc/sys/net/ipv4, the agent's --proc-root), so nothing of this machine's kernel is touched; it
 * learns its TcpTeardownNode from the real test API server.
 */
@ApiTest
class DriftWithoutApiServerApiTest {
  private static final Duration INTERVAL = Duration.ofSeconds(2);

  @TempDir Path work;

  @Test
  void driftIsCorrectedWithinOneIntervalWhileEventsAndStatusCannotBeWritten() throws Exception {
    Path procRoot = FakeProcRoot.create(work);
    Path fin = procRoot.resolve("sys/net/ipv4/tcp_fin_timeout");
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client);
        KubernetesClient unreachable =
            new KubernetesClientBuilder()
                .withConfig(
                    new ConfigBuilder()
                        .withMasterUrl("https://127.0.0.1:" + closedPort)
                        .withTrustCerts(true)
                        .build())
                .build()) {
      String node = fixtures.name("unreachable");
      client.resource(InProcessAgent.finTimeout(node, 25)).create();
      AgentMetrics metrics = new AgentMetrics(node);
      InProcessAgent agent =
          InProcessAgent.create(
              client, unreachable, node, procRoot, work, INTERVAL, Duration.ofSeconds(60), metrics);
      try (agent) {
        agent.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(Files.readString(fin).strip()).isEqualTo("25"));
        for (int round = 0; round < 3; round++) {
          // Let one check find nothing, so that this drift is not a fight (which backs off).
          Thread.sleep(INTERVAL.multipliedBy(2).toMillis());
          Files.writeString(fin, (40 + round) + "\n");
          long changed = System.nanoTime();
          await()
              .atMost(INTERVAL.plusMillis(1500))
              .pollInterval(Duration.ofMillis(50))
              .untilAsserted(() -> assertThat(Files.readString(fin).strip()).isEqualTo("25"));
          assertThat(Duration.ofNanos(System.nanoTime() - changed))
              .isLessThanOrEqualTo(INTERVAL.plusMillis(1500));
        }
        assertThat(agent.healthy()).isTrue();
        assertThat(metrics.scrape())
            .containsPattern("tcp_teardown_agent_drift_corrections_total\\{node=\"[^\"]+\"} 3\\.0");
      } finally {
        client.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }
}
