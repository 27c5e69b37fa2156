package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.tcpteardown.testsupport.PrometheusBinaries;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's Grafana dashboard (metrics.grafanaDashboard): a ConfigMap for Grafana's dashboard
 * sidecar, off by default, its namespace and labels from values; its panels show what the issue
 * asks for with queries on the documented metrics (docs/monitoring.md), each valid PromQL (checked
 * by promtool). That every query returns series from the real agent and operator is
 * MonitoringEndToEndTest's part.
 */
@UnitTest
class GrafanaDashboardChartTest {
  @TempDir Path work;

  @Test
  void offByDefault() throws Exception {
    assertThat(RenderedChart.render(Map.of()).all(ConfigMap.class))
        .noneMatch(c -> c.getMetadata().getName().endsWith("-dashboard"));
  }

  @Test
  void onItIsAConfigMapTheSidecarFindsInTheReleaseNamespace() throws Exception {
    ConfigMap map =
        RenderedChart.render(Map.of("metrics.grafanaDashboard.enabled", true))
            .one(ConfigMap.class, "-dashboard");
    assertThat(map.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
    assertThat(map.getMetadata().getLabels())
        .containsEntry("grafana_dashboard", "1")
        .containsEntry("app.kubernetes.io/instance", RenderedChart.RELEASE);
    assertThat(map.getData()).containsOnlyKeys(GrafanaDashboard.KEY);
    JsonNode json = GrafanaDashboard.of(map).json();
    assertThat(json.path("uid").asText()).isEqualTo("tcp-teardown");
    assertThat(json.path("title").asText()).isEqualTo("TCP teardown");
  }

  @Test
  void namespaceLabelsAndAnnotationsComeFromValues() throws Exception {
    ConfigMap map =
        RenderedChart.render(
                Map.of(
                    "metrics.grafanaDashboard.enabled", true,
                    "metrics.grafanaDashboard.namespace", "monitoring",
                    "metrics.grafanaDashboard.labels.grafana_dashboard", "null",
                    "metrics.grafanaDashboard.labels.team", "net",
                    "metrics.grafanaDashboard.annotations.grafana_folder", "Network"))
            .one(ConfigMap.class, "-dashboard");
    assertThat(map.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(map.getMetadata().getLabels())
        .containsEntry("team", "net")
        .doesNotContainKey("grafana_dashboard");
    assertThat(map.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Network");
  }

  /** The values schema refuses a namespace the API server would refuse, naming the value. */
  @Test
  void aNamespaceThatIsNoDnsLabelIsRefused() {
    for (String bad : List.of("Monitoring", "mon_itoring", "-monitoring", "a".repeat(64))) {
      assertThatThrownBy(
              () ->
                  RenderedChart.render(
                      Map.of(
                          "metrics.grafanaDashboard.enabled",
                          true,
                          "metrics.grafanaDashboard.namespace",
                          bad)))
          .as(bad)
          .hasMessageContaining("grafanaDashboard")
          .hasMessageContaining("namespace");
    }
  }

  /** helm lint --strict of a copy of the chart whose values.yaml turns the dashboard on. */
  @Test
  void lintPassesStrictlyWithTheDashboardOn() throws Exception {
    Path chart = work.resolve("chart");
    try (var files = Files.walk(RenderedChart.CHART)) {
      for (Path file : files.toList()) {
        Path copy = chart.resolve(RenderedChart.CHART.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(file, copy);
        }
      }
    }
    Path values = chart.resolve("values.yaml");
    String text = Files.readString(values);
    String on =
        text.replaceFirst("(grafanaDashboard:\\n(?:\\s*#.*\\n)*\\s*enabled: )false", "$1true");
    assertThat(on).isNotEqualTo(text);
    Files.writeString(values, on);
    assertThat(RenderedChart.render(chart, RenderedChart.RELEASE, Map.of()).all(ConfigMap.class))
        .anyMatch(c -> c.getMetadata().getName().endsWith("-dashboard"));
    LintResult result = new Helm(chart).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  /** Every panel asks the template's data source, so the dashboard works with any Prometheus. */
  @Test
  void everyPanelHasQueriesOnTheDataSourceVariable() throws Exception {
    GrafanaDashboard dashboard = GrafanaDashboard.rendered();
    assertThat(dashboard.panels()).hasSizeGreaterThanOrEqualTo(8);
    for (JsonNode panel : dashboard.panels()) {
      String title = panel.path("title").asText();
      assertThat(panel.path("datasource").path("uid").asText())
          .as(title)
          .isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as(title).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("expr").asText()).as(title).isNotBlank();
      }
    }
    assertThat(dashboard.json().at("/templating/list"))
        .extracting(v -> v.path("name").asText())
        .containsExactly("datasource", "node");
  }

  /**
   * The panels the issue asks for: teardown states per node with the limits as dashed lines, the
   * two kernel drop rates, drift corrections and apply errors, and per pod.
   */
  @Test
  void thePanelsShowStatesAgainstLimitsDropsCorrectionsErrorsAndPods() throws Exception {
    GrafanaDashboard dashboard = GrafanaDashboard.rendered();
    List<GrafanaDashboard.Query> queries = dashboard.queries();
    assertThat(queries)
        .extracting(GrafanaDashboard.Query::expr)
        .contains(
            "tcp_teardown_sockets{node=~\"$node\"}",
            "tcp_teardown_sysctl_value{node=~\"$node\",sysctl=\"net.ipv4.tcp_max_tw_buckets\"}",
            "tcp_teardown_sysctl_value{node=~\"$node\",sysctl=\"net.ipv4.tcp_max_orphans\"}",
            "rate(tcp_teardown_kernel_time_wait_overflow_total{node=~\"$node\"}[$__rate_interval])",
            "rate(tcp_teardown_kernel_abort_on_memory_total{node=~\"$node\"}[$__rate_interval])",
            "increase(tcp_teardown_agent_drift_corrections_total{node=~\"$node\"}[$__rate_interval])",
            "increase(tcp_teardown_agent_apply_errors_total{node=~\"$node\"}[$__rate_interval])",
            "tcp_teardown_pod_sockets{node=~\"$node\"}",
            "tcp_teardown_pod_close_wait_leak{node=~\"$node\"}");
    // The limits are lines over the counts they bound, dashed, in the same panel.
    for (String limit : List.of("tcp_max_tw_buckets", "tcp_max_orphans")) {
      JsonNode panel =
          dashboard.panels().stream()
              .filter(p -> p.toString().contains("sysctl=\\\"net.ipv4." + limit))
              .findFirst()
              .orElseThrow();
      assertThat(panel.path("targets")).hasSize(2);
      String limitRef = panel.path("targets").get(1).path("refId").asText();
      JsonNode override = panel.at("/fieldConfig/overrides/0");
      assertThat(override.at("/matcher/options").asText()).isEqualTo(limitRef);
      assertThat(override.toString()).contains("\"fill\":\"dash\"");
    }
    assertThat(queries)
        .filteredOn(q -> q.metrics().stream().anyMatch(m -> m.startsWith("tcp_teardown_pod_")))
        .extracting(GrafanaDashboard.Query::row)
        .containsOnly("Pods");
  }

  /**
   * The dashboard shows only metrics docs/monitoring.md documents (and so the end-to-end test
   * checks).
   */
  @Test
  void everyMetricOfTheDashboardIsOneTheReadmeLists() throws Exception {
    Set<String> used = new TreeSet<>();
    GrafanaDashboard.rendered().queries().forEach(q -> used.addAll(q.metrics()));
    assertThat(MonitoringAssertions.readmeMetrics().keySet()).containsAll(used);
  }

  /** promtool check rules parses each query, with Grafana's variables as Grafana fills them in. */
  @Test
  void everyQueryIsValidPromql() throws Exception {
    List<GrafanaDashboard.Query> queries = GrafanaDashboard.rendered().queries();
    var mapper = new ObjectMapper(new YAMLFactory());
    var rules = mapper.createObjectNode().putArray("groups").addObject();
    rules.put("name", "dashboard");
    var list = rules.putArray("rules");
    for (int i = 0; i < queries.size(); i++) {
      list.addObject()
          .put("record", "dashboard:query" + i)
          .put("expr", queries.get(i).promql("1m"));
    }
    Files.writeString(
        work.resolve("dashboard.yml"),
        mapper.writeValueAsString(
            mapper.createObjectNode().set("groups", mapper.createArrayNode().add(rules))));
    PrometheusBinaries.Result check =
        PrometheusBinaries.promtool(work, "check", "rules", "dashboard.yml");
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + queries.size() + " rules found");
  }
}
