package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.ForkedHolders;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.PodObjects;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as its own process, under the chart's agent ServiceAccount, beside a tenant's pod whose
 * process forks 2,000 children holding its 120 CLOSE_WAIT sockets, every child named with escape
 * sequences, a newline, DEL and invalid UTF-8: the status it writes lists five holders, counts all
 * 2,001, stays small and holds no control character; so does the Event on the Pod.
 */
@EndToEndTest
class ForkedHoldersEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path work;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(resource);
    return resource;
  }

  @Test
  void twoThousandForkedHoldersWithHostileNamesLeaveABoundedStatusAndEvent() throws Exception {
    KubernetesClient admin = keep(TestCluster.client());
    ClusterFixtures fixtures = keep(new ClusterFixtures(admin));
    String node = fixtures.name("forknode");
    fixtures.node("forknode", "8Gi", Map.of());
    TcpTeardownNode object = new TcpTeardownNode();
    object.setMetadata(new ObjectMetaBuilder().withName(node).build());
    object.setSpec(TcpTeardownNodeSpec.of(TeardownSettings.NONE, Map.of(), List.of(), List.of()));
    admin.resource(object).create();
    resources.add(() -> admin.resources(TcpTeardownNode.class).withName(node).delete());
    String tenant = "tenant-" + fixtures.run();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(tenant).endMetadata().build())
        .create();
    resources.add(() -> admin.namespaces().withName(tenant).delete());
    ChartServiceAccounts accounts =
        keep(ChartServiceAccounts.install(admin, Map.of(), UnaryOperator.identity()));

    NetworkNamespace nodeNamespace = keep(NetworkNamespace.create("fnode"));
    Pod forker = PodObjects.create(admin, node, tenant, "forker");
    NetworkNamespace podNamespace = keep(NetworkNamespace.create("ffork"));
    keep(
        ForkedHolders.start(
            podNamespace,
            "tcp-teardown-test-" + fixtures.run() + "-forker",
            forker.getMetadata().getUid(),
            120,
            2_000));

    AgentProcess agent =
        keep(
            new AgentProcess(nodeNamespace, work)
                .start(
                    accounts.agentKubeconfig(),
                    node,
                    "--report-interval",
                    "2s",
                    "--pod-sweep-min-interval",
                    "1s",
                    "--pod-sweep-cpu-budget",
                    "0.5",
                    "--close-wait-threshold",
                    "100"));
    resources.add(agent::close);
    resources.add(() -> System.out.println("agent log:\n" + agent.logText()));

    ObjectMapper json = new ObjectMapper();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownNode stored = admin.resources(TcpTeardownNode.class).withName(node).get();
              TcpTeardownNodeStatus status = stored.getStatus();
              assertThat(status).isNotNull();
              String leak =
                  Conditions.find(status.conditions(), NodeConditions.CLOSE_WAIT_LEAK)
                      .orElseThrow()
                      .getMessage();
              assertThat(leak).contains(tenant + "/forker").contains("and 1996 more processes");
              PodTeardownEntry entry =
                  status.pods().stream()
                      .filter(p -> "forker".equals(p.name()))
                      .findFirst()
                      .orElseThrow();
              assertThat(entry.closeWaitHolderCount()).isEqualTo(2_001L);
              assertThat(entry.closeWaitHolders()).hasSize(PodTeardownEntry.MAX_HOLDERS);
              assertThat(entry.closeWaitHolders())
                  .anyMatch(h -> h.command().equals(ForkedHolders.ESCAPED));
              String written = json.writeValueAsString(status);
              assertThat(written.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
              assertThat(written.length()).isLessThan(16 * 1024);
              System.out.printf(
                  "agent's status with 2,001 real holders: %,d bytes, whole object %,d bytes%n",
                  written.length(), json.writeValueAsString(stored).length());

              List<Event> events =
                  admin.v1().events().inNamespace(tenant).list().getItems().stream()
                      .filter(e -> "forker".equals(e.getInvolvedObject().getName()))
                      .filter(e -> NodeConditions.EVENT_CLOSE_WAIT_LEAK.equals(e.getReason()))
                      .toList();
              assertThat(events).singleElement();
              String message = events.getFirst().getMessage();
              assertThat(message).contains(ForkedHolders.ESCAPED);
              assertThat(message.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
              assertThat(message.length()).isLessThanOrEqualTo(1_000);
            });
    assertThat(agent.logText()).doesNotContainIgnoringCase("forbidden");
  }
}
