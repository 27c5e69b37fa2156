package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SpecReplace;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent killed with SIGKILL (a crash, an OOM kill, a deleted pod) at different moments of an
 * apply, then started again on the same state file: it converges to the spec, and when the spec
 * empties it puts back the node's true originals, never the values of the interrupted apply.
 */
@EndToEndTest
class AgentKilledMidApplyEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String FIN = "net.ipv4.tcp_fin_timeout";
  private static final String BUCKETS = "net.ipv4.tcp_max_tw_buckets";

  @TempDir Path work;

  @Test
  void aKilledAgentNeverLosesTheOriginals() throws Exception {
    try (KubernetesClient admin = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(admin);
        ChartServiceAccounts accounts =
            ChartServiceAccounts.install(admin, Map.of(), UnaryOperator.identity());
        NetworkNamespace namespace = NetworkNamespace.create("kill")) {
      String node = fixtures.name("killnode");
      fixtures.node("killnode", "8Gi", Map.of());
      TcpTeardownNode object = new TcpTeardownNode();
      object.setMetadata(new ObjectMetaBuilder().withName(node).build());
      object.setSpec(spec(TeardownSettings.NONE));
      admin.resource(object).create();
      String originalFin = namespace.sysctl(FIN);
      String originalBuckets = namespace.sysctl(BUCKETS);
      AgentProcess agent = new AgentProcess(namespace, work);
      try {
        agent.start(accounts.agentKubeconfig(), node, "--report-interval", "2s");
        awaitApplied(admin, node);

        long[] killAfterMillis = {0, 40, 150};
        int fin = 20;
        for (long delay : killAfterMillis) {
          fin++;
          String wantedFin = Integer.toString(fin);
          setSpec(admin, node, new TeardownSettings(null, fin, null, 50_000, null, null));
          Thread.sleep(delay);
          killAndRestart(agent, accounts, node);
          await()
              .atMost(WAIT)
              .untilAsserted(
                  () -> {
                    assertThat(namespace.sysctl(FIN)).isEqualTo(wantedFin);
                    assertThat(namespace.sysctl(BUCKETS)).isEqualTo("50000");
                    TcpTeardownNodeStatus status = status(admin, node);
                    assertThat(status.original())
                        .containsEntry(FIN, originalFin)
                        .containsEntry(BUCKETS, originalBuckets);
                  });
        }

        // The spec empties while an agent is killed mid-restore: the next one finishes it.
        setSpec(admin, node, TeardownSettings.NONE);
        killAndRestart(agent, accounts, node);
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> {
                  assertThat(namespace.sysctl(FIN)).isEqualTo(originalFin);
                  assertThat(namespace.sysctl(BUCKETS)).isEqualTo(originalBuckets);
                  assertThat(status(admin, node).original()).isEmpty();
                });
      } finally {
        agent.close();
        admin.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }

  /** SIGKILL, then a new agent on the same state file, as a restarted pod would be. */
  private static void killAndRestart(AgentProcess agent, ChartServiceAccounts accounts, String node)
      throws Exception {
    agent.kill();
    agent.startAgent(
        accounts.agentKubeconfig(),
        node,
        AgentProcess.DEFAULT_JVM_FLAGS,
        "--report-interval",
        "2s");
  }

  private static TcpTeardownNodeSpec spec(TeardownSettings settings) {
    return TcpTeardownNodeSpec.of(settings, Map.of(), List.of(), List.of());
  }

  private static void setSpec(KubernetesClient admin, String node, TeardownSettings settings) {
    SpecReplace.replaceSpec(admin, TcpTeardownNode.class, node, spec(settings));
  }

  private static TcpTeardownNodeStatus status(KubernetesClient admin, String node) {
    TcpTeardownNode object = admin.resources(TcpTeardownNode.class).withName(node).get();
    if (object == null || object.getStatus() == null) {
      throw new AssertionError("no status yet");
    }
    return object.getStatus();
  }

  private static void awaitApplied(KubernetesClient admin, String node) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        Conditions.isTrue(status(admin, node).conditions(), NodeConditions.APPLIED))
                    .isTrue());
  }
}
