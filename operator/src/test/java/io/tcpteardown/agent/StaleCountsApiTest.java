package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.agent.sysctl.SysctlApplier;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
      TcpTeardownNode object = new TcpTeardownNode();
      object.setMetadata(new ObjectMetaBuilder().withName(node).build());
      object.setSpec(
          TcpTeardownNodeSpec.of(
              TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 25),
              Map.of("finTimeoutSeconds", "test"),
              List.of("test"),
              List.of()));
      client.resource(object).create();
      Clock clock = Clock.systemUTC();
      AgentMetrics metrics = new AgentMetrics(node);
      NodeAgent agent =
          new NodeAgent(
              client,
              new AgentSettings(node, Duration.ofSeconds(1), Duration.ofSeconds(1)),
              new SysctlApplier(
                  new SysctlFiles(procRoot), new StateFile(work.resolve("state/state.json"))),
              new NodeObserver(procRoot),
              metrics,
              new EventRecorder(client, "tcp-teardown-agent", node, clock),
              new StatusPublisher(client, node, metrics, clock),
              new AgentStatusComposer(new AgentInfo("agent-test", "test")),
              clock);
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
