package io.tcpteardown.delivery;

import io.tcpteardown.testsupport.PrometheusServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What docs/monitoring.md's "Metrics and alerts" promises and the chart's Grafana dashboard shows,
 * checked against a Prometheus that scrapes the real agent and operator: every metric name
 * docs/monitoring.md lists has series with its labels, and every panel's query returns series.
 * Shared by every tier that runs a Prometheus (processes in network namespaces here, pods of a real
 * cluster there).
 */
public final class MonitoringAssertions {
  public static final Path METRICS_DOC = Path.of("../docs/monitoring.md");

  /** Which component exports a metric; the per-pod ones need pods on the agent's node. */
  public enum Scope {
    OPERATOR,
    AGENT,
    PODS
  }

  /**
   * The labels each documented metric must carry. A documented name missing here, or a name here
   * missing from docs/monitoring.md, fails {@link #readmeMetrics}: the two are kept equal.
   */
  static final Map<String, Set<String>> LABELS =
      Map.ofEntries(
          Map.entry("tcp_teardown_profile_selected_nodes", Set.of("profile")),
          Map.entry("tcp_teardown_profile_applied_nodes", Set.of("profile")),
          Map.entry("tcp_teardown_profile_accepted", Set.of("profile")),
          Map.entry("tcp_teardown_profile_conflict", Set.of("profile")),
          Map.entry("tcp_teardown_profile_teardown_pressure", Set.of("profile")),
          Map.entry("tcp_teardown_node_spec_writes_total", Set.of()),
          Map.entry("tcp_teardown_operator_leader", Set.of()),
          Map.entry("tcp_teardown_node_agent_silent_seconds", Set.of("node")),
          Map.entry("tcp_teardown_sockets", Set.of("node", "state")),
          Map.entry("tcp_teardown_orphans", Set.of("node")),
          Map.entry("tcp_teardown_sysctl_value", Set.of("node", "sysctl")),
          Map.entry("tcp_teardown_kernel_time_wait_overflow_total", Set.of("node")),
          Map.entry("tcp_teardown_kernel_abort_on_memory_total", Set.of("node")),
          Map.entry("tcp_teardown_agent_apply_errors_total", Set.of("node")),
          Map.entry("tcp_teardown_agent_drift_corrections_total", Set.of("node")),
          Map.entry("tcp_teardown_agent_last_report_timestamp_seconds", Set.of("node")),
          Map.entry("tcp_teardown_pod_sockets", Set.of("node", "namespace", "pod", "state")),
          Map.entry(
              "tcp_teardown_pod_kernel_time_wait_overflow", Set.of("node", "namespace", "pod")),
          Map.entry("tcp_teardown_pod_kernel_abort_on_memory", Set.of("node", "namespace", "pod")),
          Map.entry("tcp_teardown_pod_close_wait_leak", Set.of("node", "namespace", "pod")),
          Map.entry("tcp_teardown_advice", Set.of("node", "scope", "reason")));

  /**
   * Series that exist only while something is wrong (an agent silent past its limit): a scrape of a
   * healthy system has none, so only their labels are checked where they appear. Their presence is
   * proven by the unit tests of what exports them (OperatorMetricsTest, AgentReportsTest).
   */
  static final Set<String> ONLY_WHILE_WRONG = Set.of("tcp_teardown_node_agent_silent_seconds");

  /** Label values that must all be present, where docs/monitoring.md names the values. */
  static final Map<String, Map<String, Set<String>>> VALUES =
      Map.of(
          "tcp_teardown_sockets",
          Map.of(
              "state",
              Set.of("fin_wait1", "fin_wait2", "time_wait", "close_wait", "last_ack", "closing")),
          "tcp_teardown_sysctl_value",
          Map.of("sysctl", Set.of("net.ipv4.tcp_max_tw_buckets", "net.ipv4.tcp_max_orphans")));

  private static final Pattern SECTION = Pattern.compile("(?s)## Metrics and alerts\\n(.*?)\\n## ");
  private static final Pattern NAME = Pattern.compile("`(tcp_teardown_[a-z_]*(?:\\{[a-z_,]+})?)`");

  private MonitoringAssertions() {}

  /** Each metric name docs/monitoring.md's "Metrics and alerts" lists, with the labels it names. */
  public static Map<String, Set<String>> readmeMetrics() throws IOException {
    Matcher section = SECTION.matcher(Files.readString(METRICS_DOC));
    if (!section.find()) {
      throw new AssertionError("no \"## Metrics and alerts\" section in " + METRICS_DOC);
    }
    Map<String, Set<String>> metrics = new TreeMap<>();
    Matcher name = NAME.matcher(section.group(1));
    while (name.find()) {
      String token = name.group(1);
      int brace = token.indexOf('{');
      if (brace < 0) {
        metrics.put(token, Set.of());
      } else if (token.charAt(brace - 1) == '_') {
        // tcp_teardown_profile_{a,b}: one name each.
        String prefix = token.substring(0, brace);
        for (String suffix : token.substring(brace + 1, token.length() - 1).split(",")) {
          metrics.put(prefix + suffix, Set.of());
        }
      } else {
        metrics.put(
            token.substring(0, brace),
            new TreeSet<>(List.of(token.substring(brace + 1, token.length() - 1).split(","))));
      }
    }
    if (!metrics.keySet().equals(LABELS.keySet())) {
      throw new AssertionError(
          "docs/monitoring.md lists "
              + metrics.keySet()
              + " but MonitoringAssertions.LABELS knows "
              + new TreeSet<>(LABELS.keySet())
              + ": keep the two equal");
    }
    metrics.forEach(
        (metric, labels) -> {
          if (!LABELS.get(metric).containsAll(labels)) {
            throw new AssertionError(
                "docs/monitoring.md gives " + metric + labels + ", LABELS " + LABELS.get(metric));
          }
        });
    return metrics;
  }

  public static Scope scope(String metric) {
    if (metric.startsWith("tcp_teardown_profile_")
        || metric.startsWith("tcp_teardown_node_")
        || metric.startsWith("tcp_teardown_operator_")) {
      return Scope.OPERATOR;
    }
    return metric.startsWith("tcp_teardown_pod_") ? Scope.PODS : Scope.AGENT;
  }

  /**
   * Problems with the documented metrics (docs/monitoring.md) of these scopes in {@code
   * prometheus}: a name without series, a series without one of its labels, a label value missing;
   * empty when all is well.
   */
  public static List<String> readmeMetricProblems(PrometheusServer prometheus, Set<Scope> scopes)
      throws IOException {
    List<String> problems = new ArrayList<>();
    for (String metric : readmeMetrics().keySet()) {
      if (!scopes.contains(scope(metric))) {
        continue;
      }
      List<PrometheusServer.Series> series = prometheus.query(metric);
      if (series.isEmpty()) {
        if (!ONLY_WHILE_WRONG.contains(metric)) {
          problems.add(metric + ": no series");
        }
        continue;
      }
      for (PrometheusServer.Series one : series) {
        for (String label : LABELS.get(metric)) {
          if (one.labels().getOrDefault(label, "").isEmpty()) {
            problems.add(metric + ": series " + one.labels() + " has no label " + label);
          }
        }
      }
      VALUES
          .getOrDefault(metric, Map.of())
          .forEach(
              (label, values) -> {
                Set<String> seen = new TreeSet<>();
                series.forEach(s -> seen.add(s.labels().getOrDefault(label, "")));
                Set<String> missing = new TreeSet<>(values);
                missing.removeAll(seen);
                if (!missing.isEmpty()) {
                  problems.add(metric + ": no series with " + label + " " + missing);
                }
              });
    }
    return problems;
  }

  /**
   * Problems with the dashboard's queries in {@code prometheus}: a query it refuses or one that
   * returns no series, by panel; empty when every query returns series.
   */
  public static List<String> dashboardProblems(
      PrometheusServer prometheus, List<GrafanaDashboard.Query> queries, String rateInterval) {
    List<String> problems = new ArrayList<>();
    for (GrafanaDashboard.Query query : queries) {
      String promql = query.promql(rateInterval);
      try {
        if (prometheus.query(promql).isEmpty()) {
          problems.add(where(query) + promql + ": no series");
        }
      } catch (IOException e) {
        problems.add(where(query) + e.getMessage());
      }
    }
    return problems;
  }

  private static String where(GrafanaDashboard.Query query) {
    return "panel \"" + query.panel() + "\" " + query.refId() + ": ";
  }

  /** Throws an AssertionError listing {@code problems}, if any. */
  public static void assertNone(String what, List<String> problems) {
    if (!problems.isEmpty()) {
      throw new AssertionError(what + ":\n  " + String.join("\n  ", problems));
    }
  }

  /** Every documented metric of these scopes exists with its labels. */
  public static void assertReadmeMetrics(PrometheusServer prometheus, Set<Scope> scopes)
      throws IOException {
    assertNone(
        "docs/monitoring.md metrics (Metrics and alerts)",
        readmeMetricProblems(prometheus, scopes));
  }

  /** Every query of these panels returns series. */
  public static void assertDashboardQueries(
      PrometheusServer prometheus, List<GrafanaDashboard.Query> queries, String rateInterval) {
    assertNone("Grafana dashboard queries", dashboardProblems(prometheus, queries, rateInterval));
  }

  /**
   * Both at once, every problem listed: the documented metrics of these scopes and the dashboard
   * queries given.
   */
  public static void assertMetricsAndDashboard(
      PrometheusServer prometheus,
      Set<Scope> scopes,
      List<GrafanaDashboard.Query> queries,
      String rateInterval)
      throws IOException {
    List<String> problems = new ArrayList<>(readmeMetricProblems(prometheus, scopes));
    problems.addAll(dashboardProblems(prometheus, queries, rateInterval));
    assertNone(
        "docs/monitoring.md metrics (Metrics and alerts) and Grafana dashboard queries", problems);
  }
}
