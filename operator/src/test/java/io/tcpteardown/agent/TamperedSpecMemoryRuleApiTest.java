package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's whole loop (in this JVM, on a fake proc root with a 4 GiB MemTotal) given a
 * TcpTeardownNode spec the operator would never write: maxOrphans 4194304 (256 GiB of orphans)
 * beside a tcp_fin_timeout. Nothing is written, and the node's status names the memory rule.
 */
@ApiTest
class TamperedSpecMemoryRuleApiTest {
  @TempDir Path work;

  @Test
  void aTamperedMaxOrphansOnA4GibNodeIsRefusedWholeAndTheStatusNamesTheRule() throws Exception {
    Path procRoot = FakeProcRoot.create(work);
    Path ipv4 = procRoot.resolve("sys/net/ipv4");
    Files.writeString(ipv4.resolve("tcp_max_orphans"), "16384\n");
    Files.writeString(
        procRoot.resolve("meminfo"), "MemTotal:        4194304 kB\nMemFree:  1048576 kB\n");
    try (KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client)) {
      String node = fixtures.name("tampered");
      TcpTeardownNode tampered = new TcpTeardownNode();
      tampered.setMetadata(new ObjectMetaBuilder().withName(node).build());
      tampered.setSpec(
          TcpTeardownNodeSpec.of(
              TeardownSettings.NONE
                  .with(ManagedSysctl.FIN_TIMEOUT, 23)
                  .with(ManagedSysctl.MAX_ORPHANS, 4194304),
              Map.of("finTimeoutSeconds", "decoy", "maxOrphans", "decoy"),
              List.of("decoy"),
              List.of()));
      client.resource(tampered).create();
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
        TcpTeardownNodeStatus status =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> status(client, node),
                    s ->
                        s != null
                            && Conditions.find(s.conditions(), NodeConditions.ERROR).isPresent());
        var error = Conditions.find(status.conditions(), NodeConditions.ERROR).orElseThrow();
        assertThat(error.getStatus()).isEqualTo(Conditions.TRUE);
        assertThat(error.getReason()).isEqualTo(NodeConditions.REASON_SETTINGS_REFUSED);
        assertThat(error.getMessage())
            .contains("spec.maxOrphans: 4194304", "safety rule OrphanMemory", "of 4096 MiB");
        var applied = Conditions.find(status.conditions(), NodeConditions.APPLIED).orElseThrow();
        assertThat(applied.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(applied.getMessage()).contains("OrphanMemory");
        // A few more turns of the loop (drift checks every second): still nothing written.
        Thread.sleep(3000);
        assertThat(Files.readString(ipv4.resolve("tcp_fin_timeout")).strip()).isEqualTo("60");
        assertThat(Files.readString(ipv4.resolve("tcp_max_orphans")).strip()).isEqualTo("16384");
        assertThat(work.resolve("state/state.json")).doesNotExist();
        assertThat(status(client, node).applied()).isNullOrEmpty();
      } finally {
        client.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }

  private static TcpTeardownNodeStatus status(KubernetesClient client, String node) {
    TcpTeardownNode current = client.resources(TcpTeardownNode.class).withName(node).get();
    return current == null ? null : current.getStatus();
  }
}
