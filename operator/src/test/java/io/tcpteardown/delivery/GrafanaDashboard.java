package io.tcpteardown.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The chart's Grafana dashboard as its ConfigMap carries it: the JSON and the panels' queries. */
public record GrafanaDashboard(JsonNode json) {
  public static final String KEY = "tcp-teardown.json";
  private static final Pattern METRIC = Pattern.compile("\\b(tcp_teardown_[a-z_]+)\\b");

  /**
   * One query of a panel, under the row it belongs to. {@code expr} is as Grafana holds it, with
   * its variables ({@code $node}, {@code $__rate_interval}).
   */
  public record Query(String row, String panel, String refId, String expr) {
    /**
     * The query as Grafana sends it with every node selected (the variable's "All", {@code .*}) and
     * {@code rateInterval} for {@code $__rate_interval}.
     */
    public String promql(String rateInterval) {
      return expr.replace("$__rate_interval", rateInterval).replace("$node", ".*");
    }

    public Set<String> metrics() {
      Set<String> names = new TreeSet<>();
      Matcher matcher = METRIC.matcher(expr);
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
      return names;
    }
  }

  /** The dashboard of the rendered chart (with {@code metrics.grafanaDashboard.enabled=true}). */
  public static GrafanaDashboard of(RenderedChart chart) throws IOException {
    return of(chart.one(ConfigMap.class, "-dashboard"));
  }

  public static GrafanaDashboard of(ConfigMap configMap) throws IOException {
    String json = configMap.getData().get(KEY);
    if (json == null) {
      throw new AssertionError(
          "ConfigMap " + configMap.getMetadata().getName() + " has no " + KEY + " key");
    }
    return new GrafanaDashboard(new ObjectMapper().readTree(json));
  }

  /** The chart as rendered with the dashboard on. */
  public static GrafanaDashboard rendered() throws IOException {
    return of(RenderedChart.render(Map.of("metrics.grafanaDashboard.enabled", true)));
  }

  /** Panels that are not rows, in the order of the dashboard. */
  public List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : json.get("panels")) {
      if (!"row".equals(panel.path("type").asText())) {
        panels.add(panel);
      }
    }
    return panels;
  }

  public List<Query> queries() {
    List<Query> queries = new ArrayList<>();
    String row = "";
    for (JsonNode panel : json.get("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        row = panel.path("title").asText();
        continue;
      }
      for (JsonNode target : panel.path("targets")) {
        queries.add(
            new Query(
                row,
                panel.path("title").asText(),
                target.path("refId").asText(),
                target.path("expr").asText()));
      }
    }
    return queries;
  }

  /** The queries outside the row titled {@code row}. */
  public List<Query> queriesOutsideRow(String row) {
    return queries().stream().filter(q -> !q.row().equals(row)).toList();
  }
}
