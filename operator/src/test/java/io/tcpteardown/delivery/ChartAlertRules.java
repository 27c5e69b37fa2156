package io.tcpteardown.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chart's PrometheusRule as Prometheus reads a rules file: its {@code spec.groups} under {@code
 * groups}, rendered by Helm with {@code metrics.prometheusRule.enabled=true} and the given values.
 */
public record ChartAlertRules(ObjectNode file) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public static ChartAlertRules render(Map<String, Object> values) throws IOException {
    Map<String, Object> all = new HashMap<>(values);
    all.put("metrics.prometheusRule.enabled", true);
    List<io.fabric8.kubernetes.api.model.HasMetadata> rules =
        RenderedChart.render(all).ofKind("PrometheusRule");
    if (rules.size() != 1) {
      throw new AssertionError("expected one PrometheusRule, the chart rendered " + rules.size());
    }
    Object groups = ((GenericKubernetesResource) rules.getFirst()).get("spec", "groups");
    ObjectNode file = YAML.createObjectNode();
    file.set("groups", YAML.valueToTree(groups));
    return new ChartAlertRules(file);
  }

  /** The alert names, in the order of the file. */
  public List<String> alerts() {
    List<String> names = new ArrayList<>();
    for (JsonNode group : file.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        if (rule.has("alert")) {
          names.add(rule.get("alert").asText());
        }
      }
    }
    return names;
  }

  public String expr(String alert) {
    return rule(alert).get("expr").asText();
  }

  public String annotation(String alert, String name) {
    return rule(alert).path("annotations").path(name).asText(null);
  }

  /** A copy in which {@code alert}'s expression is {@code expr}. */
  public ChartAlertRules withExpr(String alert, String expr) {
    ChartAlertRules copy = new ChartAlertRules(file.deepCopy());
    copy.rule(alert).put("expr", expr);
    return copy;
  }

  public String yaml() {
    try {
      return YAML.writeValueAsString(file);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode rule(String alert) {
    for (JsonNode group : file.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        if (alert.equals(rule.path("alert").asText())) {
          return (ObjectNode) rule;
        }
      }
    }
    throw new AssertionError("no alert " + alert + " in the chart's PrometheusRule");
  }
}
