package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.operator.OperatorRuntime;
import io.tcpteardown.operator.OperatorSettings;
import io.tcpteardown.rules.advice.AdviceProfiles;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.PodObjects;
import io.tcpteardown.testsupport.RequestLog;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.Sockets;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
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
 * Pod advice from end to end: the agent as its own process in a namespace standing for the node,
 * two pods simulated on the real kernel (a process in its own network namespace in a kubelet-named
 * cgroup, a Pod object bound to the node), the operator in this JVM, a real kube-apiserver. The web
 * pod's own TIME_WAIT table is full: the advice names the pod, {@code tcp-teardown advise} prints a
 * profile whose {@code spec.pods} rule selects it by namespace and labels (and not the other pod),
 * and applying it writes the value into the web pod's namespace and the advice goes.
 */
@EndToEndTest
class PodAdviceEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String BUCKETS = "net.ipv4.tcp_max_tw_buckets";

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
  void advisePrintsAPodRuleThatSelectsTheAdvisedPodAndApplyingItEndsTheAdvice() throws Exception {
    KubernetesClient admin = keep(TestCluster.client());
    ClusterFixtures fixtures = keep(new ClusterFixtures(admin));
    String lease = fixtures.name("lease");
    ChartServiceAccounts accounts =
        keep(
            ChartServiceAccounts.install(
                admin, Map.of("operator.leaseName", lease), UnaryOperator.identity()));
    KubernetesClient operatorClient =
        keep(ChartServiceAccounts.client(accounts.operatorKubeconfig(), new RequestLog()));
    keep(
        OperatorRuntime.start(
            operatorClient,
            new OperatorSettings(true, lease, ChartServiceAccounts.NAMESPACE, 0, 0)));
    String node = fixtures.name("podnode");
    fixtures.node("podnode", "8Gi", Map.of(AdviceProfiles.HOSTNAME_LABEL, node));
    String shop = "shop-" + fixtures.run();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(shop).endMetadata().build())
        .create();
    resources.add(() -> admin.namespaces().withName(shop).delete());

    NetworkNamespace nodeNamespace = keep(NetworkNamespace.create("anode"));
    // The web pod: 30 TIME_WAIT against its own tcp_max_tw_buckets of 32.
    Pod web =
        admin
            .pods()
            .inNamespace(shop)
            .resource(
                PodObjects.boundTo(
                        node, shop, "web", Map.of("app", "web", "pod-template-hash", "5d9f"))
                    .build())
            .create();
    NetworkNamespace webNamespace = keep(NetworkNamespace.create("aweb"));
    webNamespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
    webNamespace.setSysctl(BUCKETS, "32");
    held.addAll(Sockets.timeWaitAndCloseWait(webNamespace, 30, 0));
    keep(
        SimulatedPod.start(
            webNamespace,
            "tcp-teardown-test-" + fixtures.run() + "-aweb",
            web.getMetadata().getUid(),
            SimulatedPod.Driver.SYSTEMD,
            SimulatedPod.Qos.GUARANTEED));
    // The db pod of the same namespace: no advice, and the printed rule does not select it.
    Pod db =
        admin
            .pods()
            .inNamespace(shop)
            .resource(PodObjects.boundTo(node, shop, "db", Map.of("app", "db")).build())
            .create();
    NetworkNamespace dbNamespace = keep(NetworkNamespace.create("adb"));
    String dbBuckets = dbNamespace.sysctl(BUCKETS);
    keep(
        SimulatedPod.start(
            dbNamespace,
            "tcp-teardown-test-" + fixtures.run() + "-adb",
            db.getMetadata().getUid(),
            SimulatedPod.Driver.CGROUPFS,
            SimulatedPod.Qos.BESTEFFORT));

    AgentProcess agent =
        keep(
            new AgentProcess(nodeNamespace, Files.createDirectories(work.resolve("agent")))
                .start(
                    accounts.agentKubeconfig(),
                    node,
                    "--report-interval",
                    "2s",
                    "--pod-sweep-min-interval",
                    "1s",
                    "--pod-sweep-cpu-budget",
                    "0.5"));
    resources.add(
        () ->
            System.out.println(
                "agent log:\n" + agent.logText() + "\nlast status: " + status(admin, node)));

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(podAdvice(status(admin, node)))
                    .singleElement()
                    .satisfies(
                        a -> {
                          assertThat(a.namespace()).isEqualTo(shop);
                          assertThat(a.pod()).isEqualTo("web");
                          assertThat(a.current()).isEqualTo("32");
                          assertThat(a.reason()).isEqualTo("TimeWaitTableFull");
                        }));
    String suggested = podAdvice(status(admin, node)).getFirst().suggested();

    Path kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, TestCluster.kubeconfig());
    String previous = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
    CliRun advise;
    try {
      advise = CliRun.of("advise");
    } finally {
      if (previous == null) {
        System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
      } else {
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previous);
      }
    }
    assertThat(advise.exit()).as(advise.err()).isZero();
    CliRun validate = CliRun.withInput(advise.out(), "validate", "-f", "-");
    assertThat(validate.exit()).as(validate.out() + validate.err()).isZero();
    List<TcpTeardownProfile> ours = new ArrayList<>();
    var documents =
        new YAMLMapper().readValues(new YAMLFactory().createParser(advise.out()), JsonNode.class);
    while (documents.hasNextValue()) {
      JsonNode doc = documents.nextValue();
      if (doc != null && doc.path("spec").path("nodeSelector").toString().contains(node)) {
        ours.add(new YAMLMapper().treeToValue(doc, TcpTeardownProfile.class));
      }
    }
    assertThat(ours).as(advise.out()).singleElement();
    TcpTeardownProfileSpec spec = ours.getFirst().getSpec();
    assertThat(spec.maxTwBuckets()).isEqualTo(Integer.parseInt(suggested));
    // The pod's labels less the volatile pod-template-hash; its namespace by name.
    assertThat(spec.pods().podSelector().matchLabels()).isEqualTo(Map.of("app", "web"));
    assertThat(spec.pods().namespaceSelector().matchExpressions().getFirst().values())
        .containsExactly(shop);
    assertThat(advise.out()).contains("# - " + shop + "/web on " + node + ": TimeWaitTableFull");

    TcpTeardownProfile profile = ours.getFirst();
    admin.resource(profile).create();
    String name = profile.getMetadata().getName();
    resources.add(() -> admin.resources(TcpTeardownProfile.class).withName(name).delete());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(webNamespace.sysctl(BUCKETS)).isEqualTo(suggested);
              assertThat(podAdvice(status(admin, node))).isEmpty();
            });
    assertThat(dbNamespace.sysctl(BUCKETS)).isEqualTo(dbBuckets);
    assertThat(agent.logText()).doesNotContainIgnoringCase("forbidden");
  }

  private static List<AdviceEntry> podAdvice(TcpTeardownNodeStatus status) {
    if (status == null || status.advice() == null) {
      return List.of();
    }
    return status.advice().stream()
        .filter(a -> AdviceEntry.SCOPE_POD.equals(a.scope()))
        .filter(a -> "maxTwBuckets".equals(a.field()))
        .toList();
  }

  private static TcpTeardownNodeStatus status(KubernetesClient admin, String node) {
    TcpTeardownNode object = admin.resources(TcpTeardownNode.class).withName(node).get();
    return object == null ? null : object.getStatus();
  }
}
