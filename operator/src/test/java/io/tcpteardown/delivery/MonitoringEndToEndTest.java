package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.operator.OperatorRuntime;
import io.tcpteardown.operator.OperatorSettings;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.PodObjects;
import io.tcpteardown.testsupport.PrometheusServer;
import io.tcpteardown.testsupport.PrometheusServer.Series;
import io.tcpteardown.testsupport.PrometheusServer.Target;
import io.tcpteardown.testsupport.RequestLog;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.Sockets;
import io.tcpteardown.testsupport.Specs;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Prometheus scraping the real agent process (in a network namespace standing for its
 * node, with TIME_WAIT and CLOSE_WAIT traffic, a simulated pod with TIME_WAIT and one that leaks
 * CLOSE_WAIT) and the operator (in this JVM, as the chart's ServiceAccount, its /metrics on a port
 * of its own): every metric docs/monitoring.md lists exists with its labels, a few carry the values
 * the test made, a drift correction shows in its counter, and every query of the chart's Grafana
 * dashboard returns series.
 */
@EndToEndTest
class MonitoringEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int AGENT_METRICS_PORT = 9102;

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
  void everyReadmeMetricExistsWithItsLabelsAndEveryDashboardQueryReturnsSeries() throws Exception {
    NetworkNamespace nodeNamespace = keep(NetworkNamespace.create("mon"));
    KubernetesClient admin = keep(TestCluster.client());
    ClusterFixtures fixtures = keep(new ClusterFixtures(admin));
    String lease = fixtures.name("lease");
    ChartServiceAccounts accounts =
        keep(
            ChartServiceAccounts.install(
                admin, Map.of("operator.leaseName", lease), UnaryOperator.identity()));
    KubernetesClient operatorClient =
        keep(ChartServiceAccounts.client(accounts.operatorKubeconfig(), new RequestLog()));
    OperatorRuntime operator =
        keep(
            OperatorRuntime.start(
                operatorClient,
                new OperatorSettings(true, lease, ChartServiceAccounts.NAMESPACE, 0, 0)));

    String node = fixtures.name("monnode");
    fixtures.node("monnode", "8Gi", Map.of("role", "mon"));
    String profile = fixtures.name("mon");
    fixtures.profile(
        "mon",
        Map.of("role", "mon"),
        Specs.spec().finTimeoutSeconds(20).maxTwBuckets(50_000).build());

    // Traffic in the node's own namespace: 50 TIME_WAIT, 5 CLOSE_WAIT.
    nodeNamespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
    held.addAll(Sockets.timeWaitAndCloseWait(nodeNamespace, 50, 5));

    // Two pods on the node: web with 30 TIME_WAIT, leaky whose process holds 120 CLOSE_WAIT.
    String shop = "shop-" + fixtures.run();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(shop).endMetadata().build())
        .create();
    resources.add(() -> admin.namespaces().withName(shop).delete());
    Pod web = pod(admin, shop, "web", node);
    NetworkNamespace webNamespace = keep(NetworkNamespace.create("mweb"));
    webNamespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
    held.addAll(Sockets.timeWaitAndCloseWait(webNamespace, 30, 0));
    keep(
        SimulatedPod.start(
            webNamespace,
            "tcp-teardown-test-" + fixtures.run() + "-web",
            web.getMetadata().getUid(),
            SimulatedPod.Driver.SYSTEMD,
            SimulatedPod.Qos.GUARANTEED));
    Pod leaky = pod(admin, shop, "leaky", node);
    NetworkNamespace leakyNamespace = keep(NetworkNamespace.create("mleak"));
    keep(
        SimulatedPod.startLeaky(
            leakyNamespace,
            "tcp-teardown-test-" + fixtures.run() + "-leaky",
            leaky.getMetadata().getUid(),
            SimulatedPod.Driver.CGROUPFS,
            SimulatedPod.Qos.BURSTABLE,
            120));

    AgentProcess agent =
        new AgentProcess(nodeNamespace, work)
            .start(
                accounts.agentKubeconfig(),
                node,
                "--metrics-port",
                String.valueOf(AGENT_METRICS_PORT),
                "--drift-check-interval",
                "1s",
                "--report-interval",
                "2s",
                "--pod-sweep-min-interval",
                "1s",
                "--pod-sweep-cpu-budget",
                "0.5",
                "--close-wait-threshold",
                "100");
    resources.add(agent::close);
    resources.add(() -> System.out.println("agent log:\n" + agent.logText()));

    // The chart's alerts too, as its PrometheusRule carries them.
    Path rules = work.resolve("rules.yml");
    Files.writeString(
        rules,
        ChartAlertRules.render(
                Map.of(
                    "metrics.prometheusRule.agentJob", "agent",
                    "metrics.prometheusRule.operatorJob", "operator"))
            .yaml());
    PrometheusServer prometheus =
        keep(
            PrometheusServer.start(
                List.of(
                    Target.of("operator", "127.0.0.1:" + operator.metricsPort()),
                    Target.inNamespace(
                        "agent", "127.0.0.1:" + AGENT_METRICS_PORT, nodeNamespace.name())),
                Duration.ofSeconds(1),
                List.of(rules)));
    resources.add(
        () ->
            System.out.println(
                "prometheus targets: " + prometheus.targetHealth() + "\n" + prometheus.logText()));

    // The profile applied: the agent's kernel reads back its value, the counts are the test's.
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(prometheus.targetHealth())
                  .allSatisfy((t, h) -> assertThat(h).isEqualTo("up"));
              assertThat(
                      value(
                          prometheus,
                          "tcp_teardown_sysctl_value{node=\""
                              + node
                              + "\",sysctl=\"net.ipv4.tcp_max_tw_buckets\"}"))
                  .isEqualTo(50_000);
              assertThat(
                      value(
                          prometheus,
                          "tcp_teardown_sockets{node=\"" + node + "\",state=\"time_wait\"}"))
                  .isGreaterThanOrEqualTo(50);
              assertThat(
                      value(
                          prometheus,
                          "tcp_teardown_pod_sockets{namespace=\""
                              + shop
                              + "\",pod=\"web\",state=\"time_wait\"}"))
                  .isEqualTo(30);
              assertThat(
                      value(
                          prometheus,
                          "tcp_teardown_pod_close_wait_leak{node=\""
                              + node
                              + "\",namespace=\""
                              + shop
                              + "\",pod=\"leaky\"}"))
                  .isEqualTo(120);
              assertThat(
                      value(
                          prometheus,
                          "tcp_teardown_profile_applied_nodes{profile=\"" + profile + "\"}"))
                  .isEqualTo(1);
            });

    // Someone else changes a managed value: the agent writes it back and counts it.
    nodeNamespace.setSysctl("net.ipv4.tcp_fin_timeout", "45");
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(
                        value(
                            prometheus,
                            "tcp_teardown_agent_drift_corrections_total{node=\"" + node + "\"}"))
                    .isGreaterThanOrEqualTo(1));

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MonitoringAssertions.assertMetricsAndDashboard(
                  prometheus,
                  EnumSet.allOf(MonitoringAssertions.Scope.class),
                  GrafanaDashboard.rendered().queries(),
                  "1m");
            });
    assertAlerts(prometheus, node, shop);
  }

  /**
   * The chart's alerts evaluate without error on the real series, and the CLOSE_WAIT leak alert
   * matches the leaking pod by node, namespace and pod (pending: it fires after 10 minutes).
   */
  private static void assertAlerts(PrometheusServer prometheus, String node, String shop) {
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(prometheus.ruleHealth())
                  .containsOnlyKeys(PrometheusRuleTest.SHIPPED)
                  .allSatisfy((rule, health) -> assertThat(health).as(rule).isEqualTo("ok"));
              assertThat(prometheus.alerts())
                  .filteredOn(a -> a.name().equals("TcpTeardownCloseWaitLeak"))
                  .singleElement()
                  .satisfies(
                      a -> {
                        assertThat(a.state()).isEqualTo("pending");
                        assertThat(a.labels())
                            .containsEntry("node", node)
                            .containsEntry("namespace", shop)
                            .containsEntry("pod", "leaky");
                      });
              // Nothing else: the agent reports, applies without error, drift stays under 3. The
              // profile's TeardownPressure names leaking pods too, so its alert may be pending as
              // soon as the operator has seen the leak condition (a matter of timing).
              assertThat(prometheus.alerts())
                  .extracting(PrometheusServer.Alert::name)
                  .contains("TcpTeardownCloseWaitLeak")
                  .isSubsetOf("TcpTeardownCloseWaitLeak", "TcpTeardownPressure");
            });
  }

  /** The value of the one series {@code expr} selects. */
  private static double value(PrometheusServer prometheus, String expr) throws Exception {
    List<Series> series = prometheus.query(expr);
    assertThat(series).as(expr).hasSize(1);
    return series.getFirst().value();
  }

  private static Pod pod(KubernetesClient admin, String namespace, String name, String node) {
    return PodObjects.create(admin, node, namespace, name);
  }
}
