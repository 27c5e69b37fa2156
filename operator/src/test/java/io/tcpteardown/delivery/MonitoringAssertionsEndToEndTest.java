package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.PrometheusServer;
import io.tcpteardown.testsupport.PrometheusServer.Target;
import io.tcpteardown.tier.EndToEndTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PrometheusServer and MonitoringAssertions on expositions the test writes: one served on this
 * machine's loopback, one inside a network namespace (reached through the relay), each missing what
 * the assertions must report: a metric, a label, a label value, the per-pod series, and so the
 * dashboard panels that read them.
 */
@EndToEndTest
class MonitoringAssertionsEndToEndTest {
  private static final String OPERATOR =
      """
      tcp_teardown_profile_selected_nodes{profile="web"} 2
      tcp_teardown_profile_applied_nodes{profile="web"} 2
      tcp_teardown_profile_accepted{profile="web"} 1
      tcp_teardown_profile_teardown_pressure{profile="web"} 0
      tcp_teardown_node_spec_writes_total 3
      tcp_teardown_operator_leader 1
      tcp_teardown_node_agent_silent_seconds 200
      """;

  private static String agent() {
    StringBuilder text = new StringBuilder();
    for (String state : List.of("fin_wait1", "fin_wait2", "time_wait", "close_wait", "last_ack")) {
      text.append("tcp_teardown_sockets{node=\"n1\",state=\"").append(state).append("\"} 3\n");
    }
    text.append(
        """
        tcp_teardown_orphans 4
        tcp_teardown_sysctl_value{node="n1",sysctl="net.ipv4.tcp_max_tw_buckets"} 262144
        tcp_teardown_sysctl_value{node="n1",sysctl="net.ipv4.tcp_max_orphans"} 65536
        tcp_teardown_kernel_time_wait_overflow_total{node="n1"} 0
        tcp_teardown_kernel_abort_on_memory_total{node="n1"} 0
        tcp_teardown_agent_apply_errors_total{node="n1"} 0
        tcp_teardown_agent_drift_corrections_total{node="n1"} 0
        tcp_teardown_agent_last_report_timestamp_seconds{node="n1"} 1.7e9
        tcp_teardown_advice{node="n1",scope="HostNetwork",reason="TimeWaitTableFull"} 0
        """);
    return text.toString();
  }

  private static HttpServer serve(InetSocketAddress address, String exposition) throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = exposition.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return server;
  }

  @Test
  void everyMissingMetricLabelValueAndEmptyPanelIsReported() throws Exception {
    HttpServer operator = serve(new InetSocketAddress("127.0.0.1", 0), OPERATOR);
    try (NetworkNamespace namespace = NetworkNamespace.create("prom")) {
      // The listening socket belongs to the namespace of the thread that opens it.
      HttpServer agent =
          namespace.call(() -> serve(new InetSocketAddress("127.0.0.1", 9102), agent()));
      try (PrometheusServer prometheus =
          PrometheusServer.start(
              List.of(
                  Target.of("operator", "127.0.0.1:" + operator.getAddress().getPort()),
                  Target.inNamespace("agent", "127.0.0.1:9102", namespace.name())))) {
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  assertThat(prometheus.query("up == 1")).hasSize(2);
                  assertThat(prometheus.query("rate(tcp_teardown_agent_apply_errors_total[1m])"))
                      .isNotEmpty();
                });
        // The relayed target keeps its own address as instance.
        assertThat(prometheus.query("up{job=\"agent\"}").getFirst().labels())
            .containsEntry("instance", "127.0.0.1:9102");

        assertThat(
                MonitoringAssertions.readmeMetricProblems(
                    prometheus, EnumSet.allOf(MonitoringAssertions.Scope.class)))
            .containsExactlyInAnyOrder(
                "tcp_teardown_profile_conflict: no series",
                "tcp_teardown_node_agent_silent_seconds: series {__name__=tcp_teardown_node_agent_silent_seconds,"
                    + " instance=127.0.0.1:"
                    + operator.getAddress().getPort()
                    + ", job=operator} has no label node",
                "tcp_teardown_orphans: series {__name__=tcp_teardown_orphans, instance=127.0.0.1:9102,"
                    + " job=agent} has no label node",
                "tcp_teardown_sockets: no series with state [closing]",
                "tcp_teardown_pod_sockets: no series",
                "tcp_teardown_pod_kernel_time_wait_overflow: no series",
                "tcp_teardown_pod_kernel_abort_on_memory: no series",
                "tcp_teardown_pod_close_wait_leak: no series");
        assertThat(
                MonitoringAssertions.readmeMetricProblems(
                    prometheus, EnumSet.of(MonitoringAssertions.Scope.OPERATOR)))
            .containsExactlyInAnyOrder(
                "tcp_teardown_profile_conflict: no series",
                "tcp_teardown_node_agent_silent_seconds: series {__name__=tcp_teardown_node_agent_silent_seconds,"
                    + " instance=127.0.0.1:"
                    + operator.getAddress().getPort()
                    + ", job=operator} has no label node");

        List<GrafanaDashboard.Query> queries = GrafanaDashboard.rendered().queries();
        List<String> problems = MonitoringAssertions.dashboardProblems(prometheus, queries, "1m");
        // The node panels all have series (the orphans one too, without its node label it
        // matches node=~".*"); the pod panels have none.
        Set<String> emptyPanels =
            problems.stream()
                .map(p -> p.substring("panel \"".length(), p.indexOf("\" ")))
                .collect(Collectors.toSet());
        assertThat(emptyPanels)
            .isEqualTo(
                queries.stream()
                    .filter(q -> q.row().equals("Pods"))
                    .map(GrafanaDashboard.Query::panel)
                    .collect(Collectors.toSet()));
        assertThat(problems).allSatisfy(p -> assertThat(p).endsWith(": no series"));
        assertThat(
                MonitoringAssertions.dashboardProblems(
                    prometheus, GrafanaDashboard.rendered().queriesOutsideRow("Pods"), "1m"))
            .isEmpty();
        assertThatThrownBy(
                () ->
                    MonitoringAssertions.assertMetricsAndDashboard(
                        prometheus, EnumSet.allOf(MonitoringAssertions.Scope.class), queries, "1m"))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("tcp_teardown_profile_conflict: no series")
            .hasMessageContaining("panel \"Pods leaking CLOSE_WAIT\" A: ");
        // A query Prometheus refuses is an error naming it.
        assertThatThrownBy(() -> prometheus.query("rate(tcp_teardown_orphans)"))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("rate(tcp_teardown_orphans)")
            .hasMessageContaining("bad_data");
      } finally {
        agent.stop(0);
      }
    } finally {
      operator.stop(0);
    }
  }
}
