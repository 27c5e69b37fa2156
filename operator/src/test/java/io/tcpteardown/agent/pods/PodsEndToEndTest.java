package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.PodTeardownEntry.Listed;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.PodObjects;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.Sockets;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as its own process with the chart's agent ServiceAccount token, in a network namespace
 * standing for the node, with pods simulated on the real kernel: Pod objects on the test API server
 * bound to the node, each with a process in its own network namespace placed in a cgroup named as
 * the kubelet names it. The agent finds them by their UIDs, counts each exactly, sums the whole
 * node, names the process that leaks CLOSE_WAIT and raises the Event on its Pod.
 */
@EndToEndTest
class PodsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path work;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<SocketChannel> held = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    Sockets.closeAll(held);
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(resource);
    return resource;
  }

  @Test
  void everyPodIsCountedTheLeakIsNamedAndAGonePodLeavesTheStatus() throws Exception {
    KubernetesClient admin = keep(TestCluster.client());
    ClusterFixtures fixtures = keep(new ClusterFixtures(admin));
    String node = fixtures.name("podnode");
    fixtures.node("podnode", "8Gi", Map.of());
    TcpTeardownNode object = new TcpTeardownNode();
    object.setMetadata(new ObjectMetaBuilder().withName(node).build());
    object.setSpec(TcpTeardownNodeSpec.of(TeardownSettings.NONE, Map.of(), List.of(), List.of()));
    admin.resource(object).create();
    resources.add(() -> admin.resources(TcpTeardownNode.class).withName(node).delete());
    String shop = "shop-" + fixtures.run();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(shop).endMetadata().build())
        .create();
    resources.add(() -> admin.namespaces().withName(shop).delete());
    ChartServiceAccounts accounts =
        keep(ChartServiceAccounts.install(admin, Map.of(), UnaryOperator.identity()));

    // The node's own namespace, where the agent runs, with 10 TIME_WAIT of its own.
    NetworkNamespace nodeNamespace = keep(NetworkNamespace.create("pnode"));
    nodeNamespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
    held.addAll(Sockets.timeWaitAndCloseWait(nodeNamespace, 10, 0));

    // A web pod: 30 TIME_WAIT and 5 CLOSE_WAIT, a systemd-driver guaranteed layout.
    Pod web = pod(admin, shop, "web", node);
    NetworkNamespace webNamespace = keep(NetworkNamespace.create("pweb"));
    webNamespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
    webNamespace.setSysctl("net.ipv4.tcp_max_tw_buckets", "32");
    held.addAll(Sockets.timeWaitAndCloseWait(webNamespace, 30, 5));
    SimulatedPod webPod =
        keep(
            SimulatedPod.start(
                webNamespace,
                "tcp-teardown-test-" + fixtures.run() + "-web",
                web.getMetadata().getUid(),
                SimulatedPod.Driver.SYSTEMD,
                SimulatedPod.Qos.GUARANTEED));

    // A leaky pod: its own process holds 120 CLOSE_WAIT, a cgroupfs burstable layout.
    Pod leaky = pod(admin, shop, "leaky", node);
    NetworkNamespace leakyNamespace = keep(NetworkNamespace.create("pleak"));
    SimulatedPod leakyPod =
        keep(
            SimulatedPod.startLeaky(
                leakyNamespace,
                "tcp-teardown-test-" + fixtures.run() + "-leaky",
                leaky.getMetadata().getUid(),
                SimulatedPod.Driver.CGROUPFS,
                SimulatedPod.Qos.BURSTABLE,
                120));

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
                    // The test machine may be busy: sweeps must stay frequent whatever they cost.
                    "--pod-sweep-cpu-budget",
                    "0.5",
                    "--close-wait-threshold",
                    "100"));
    resources.add(agent::close);
    resources.add(
        () ->
            System.out.println(
                "agent log:\n" + agent.logText() + "\nlast status: " + status(admin, node)));

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownNodeStatus status = status(admin, node);
              assertThat(status).isNotNull();
              assertThat(status.pods()).isNotNull();
              PodTeardownEntry webEntry = listed(status, "web");
              assertThat(webEntry.namespace()).isEqualTo(shop);
              assertThat(webEntry.uid()).isEqualTo(web.getMetadata().getUid());
              assertThat(webEntry.states().timeWait()).isEqualTo(30);
              assertThat(webEntry.states().closeWait()).isEqualTo(5);
              assertThat(webEntry.maxTwBuckets()).isEqualTo(32);
              // 30 TIME_WAIT and 5 orphaned FIN_WAIT2 (usually kept as time-wait mini-sockets) want
              // up to 35 of its own 32 buckets: the pod's own overflow counter rose, the node's
              // not.
              assertThat(webEntry.counters().timeWaitOverflow()).isBetween(1L, 5L);
              assertThat(status.counters().timeWaitOverflow()).isZero();
              PodTeardownEntry leakyEntry = listed(status, "leaky");
              assertThat(leakyEntry.states().closeWait()).isEqualTo(120);
              assertThat(status.podNamespaces()).isEqualTo(2);
              // The node's own 10, and the agent's own connections to the API server that ended.
              long host = status.hostStates().timeWait();
              assertThat(host).isGreaterThanOrEqualTo(10);
              // The whole node: its own namespace and every pod's.
              assertThat(status.states().timeWait()).isEqualTo(host + 30);
              assertThat(status.states().closeWait())
                  .isEqualTo(status.hostStates().closeWait() + 125);
              // 30 of the web pod's own 32 buckets: pressure, named after the pod.
              assertThat(Conditions.isTrue(status.conditions(), NodeConditions.TEARDOWN_PRESSURE))
                  .isTrue();
              assertThat(
                      Conditions.find(status.conditions(), NodeConditions.TEARDOWN_PRESSURE)
                          .orElseThrow()
                          .getMessage())
                  .contains(shop + "/web")
                  .contains("own tcp_max_tw_buckets 32");
            });

    // The web pod's table held full for three reports: advice on that pod, named after it.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownNodeStatus status = status(admin, node);
              assertThat(status.advice())
                  .isNotNull()
                  .anySatisfy(
                      a -> {
                        assertThat(a.scope()).isEqualTo(AdviceEntry.SCOPE_POD);
                        assertThat(a.namespace()).isEqualTo(shop);
                        assertThat(a.pod()).isEqualTo("web");
                        assertThat(a.field()).isEqualTo("maxTwBuckets");
                        assertThat(a.current()).isEqualTo("32");
                        assertThat(a.reason()).isEqualTo("TimeWaitTableFull");
                        assertThat(Long.parseLong(a.suggested())).isGreaterThan(32);
                      });
              assertThat(status.adviceCount()).isEqualTo(status.advice().size());
              assertThat(status.advice())
                  .noneMatch(a -> "leaky".equals(a.pod()) || "maxOrphans".equals(a.field()));
            });

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownNodeStatus status = status(admin, node);
              var leak =
                  Conditions.find(status.conditions(), NodeConditions.CLOSE_WAIT_LEAK)
                      .orElseThrow();
              assertThat(leak.getStatus()).isEqualTo("True");
              assertThat(leak.getMessage())
                  .contains(shop + "/leaky")
                  .contains("120 CLOSE_WAIT")
                  .contains(
                      "pid "
                          + leakyPod.pid()
                          + " (java, container "
                          + leakyPod.containerId().substring(0, 12)
                          + ") 120")
                  .contains("has not called close()");
              PodTeardownEntry leakyEntry = listed(status, "leaky");
              assertThat(leakyEntry.listed()).isEqualTo(Listed.Leak);
              assertThat(leakyEntry.closeWaitHolders())
                  .singleElement()
                  .satisfies(h -> assertThat(h.pid()).isEqualTo(leakyPod.pid()));
              List<Event> events =
                  admin.v1().events().inNamespace(shop).list().getItems().stream()
                      .filter(e -> "leaky".equals(e.getInvolvedObject().getName()))
                      .filter(e -> NodeConditions.EVENT_CLOSE_WAIT_LEAK.equals(e.getReason()))
                      .toList();
              assertThat(events).singleElement();
              assertThat(events.getFirst().getType()).isEqualTo("Warning");
              assertThat(events.getFirst().getInvolvedObject().getUid())
                  .isEqualTo(leaky.getMetadata().getUid());
            });

    // The web pod goes away mid-run: its process ends and its Pod is deleted.
    webPod.kill();
    admin.pods().inNamespace(shop).withName("web").delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownNodeStatus status = status(admin, node);
              assertThat(entry(status, "web")).isEmpty();
              assertThat(status.podNamespaces()).isEqualTo(1);
              assertThat(Conditions.isTrue(status.conditions(), NodeConditions.ERROR)).isFalse();
            });

    assertThat(agent.logText()).doesNotContainIgnoringCase("forbidden");
  }

  private static Pod pod(KubernetesClient admin, String namespace, String name, String node) {
    return PodObjects.create(admin, node, namespace, name);
  }

  private static TcpTeardownNodeStatus status(KubernetesClient admin, String node) {
    TcpTeardownNode object = admin.resources(TcpTeardownNode.class).withName(node).get();
    return object == null ? null : object.getStatus();
  }

  private static PodTeardownEntry listed(TcpTeardownNodeStatus status, String name) {
    return entry(status, name)
        .orElseThrow(
            () -> new AssertionError("pod " + name + " not in status.pods " + status.pods()));
  }

  private static Optional<PodTeardownEntry> entry(TcpTeardownNodeStatus status, String name) {
    return status.pods() == null
        ? Optional.empty()
        : status.pods().stream().filter(p -> name.equals(p.name())).findFirst();
  }
}
