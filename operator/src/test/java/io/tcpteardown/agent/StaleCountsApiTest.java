package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A count that fails after earlier ones succeeded (here: /proc/net/sockstat gone from the agent's
 * fake proc root) is published as stale: the last numbers, when they were counted and why the
 * latest count failed, while lastReportTime moves on.
 */
@ApiTest
class StaleCountsApiTest {
  @TempDir Path work;

  @Test
  void aFailingCountIsPublishedAsStaleWithItsAge() throws Exception {
    Path procRoot = FakeProcRoot.create(work);
    try (KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client)) {
      String node = fixtures.name("stale");
      client.resource(InProcessAgent.finTimeout(node, 25)).create();
      InProcessAgent agent =
          InProcessAgent.create(
              client,
              client,
              node,
              procRoot,
              work,
              Duration.ofSeconds(1),
              Duration.ofSeconds(1),
              new AgentMetrics(node));
      try (agent) {
        agent.start();
        TcpTeardownNodeStatus fresh =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> status(client, node),
                    s -> s != null && s.states() != null && s.applied() != null);
        assertThat(fresh.countError()).isNull();
        assertThat(fresh.states().orphans()).isEqualTo(3);

        Files.delete(procRoot.resolve("net/sockstat"));
        TcpTeardownNodeStatus stale =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> status(client, node),
                    s ->
                        s.countError() != null
                            && Instant.parse(s.lastReportTime())
                                .isAfter(Instant.parse(s.countTime()).plusSeconds(2)));
        assertThat(stale.countError()).contains("sockstat", "stale", " s old");
        assertThat(stale.states()).isEqualTo(fresh.states());
        assertThat(stale.countTime()).isEqualTo(lastFreshCountTime(stale));

        Files.writeString(
            procRoot.resolve("net/sockstat"),
            "sockets: used 5\nTCP: inuse 1 orphan 4 tw 0 alloc 1 mem 0\n");
        TcpTeardownNodeStatus healed =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> status(client, node), s -> s.countError() == null);
        assertThat(healed.states().orphans()).isEqualTo(4);
        assertThat(healed.countTime()).isEqualTo(healed.lastReportTime());
      } finally {
        client.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }

  private static String lastFreshCountTime(TcpTeardownNodeStatus stale) {
    // The stale status names the time of the numbers it shows in its message too.
    assertThat(stale.countError()).contains(stale.countTime());
    return stale.countTime();
  }

  private static TcpTeardownNodeStatus status(KubernetesClient client, String node) {
    TcpTeardownNode current = client.resources(TcpTeardownNode.class).withName(node).get();
    return current == null ? null : current.getStatus();
  }
}
