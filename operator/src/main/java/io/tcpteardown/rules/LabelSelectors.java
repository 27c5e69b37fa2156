package io.tcpteardown.rules;

import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.SelectorOperator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Matches a node selector against labels; an absent selector matches everything. Total: whatever
 * the API server stored (a null operator, null items or values), it answers and never throws; a
 * requirement it cannot read matches nothing (SafetyRules refuses such a profile anyway).
 */
public final class LabelSelectors {
  private LabelSelectors() {}

  public static boolean matches(NodeSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> nodeLabels = labels == null ? Map.of() : labels;
    if (selector.matchLabels() != null) {
      for (Map.Entry<String, String> wanted : selector.matchLabels().entrySet()) {
        if (wanted.getKey() == null
            || wanted.getValue() == null
            || !wanted.getValue().equals(nodeLabels.get(wanted.getKey()))) {
          return false;
        }
      }
    }
    if (selector.matchExpressions() != null) {
      for (NodeSelectorRequirement requirement : selector.matchExpressions()) {
        if (requirement == null || !matches(requirement, nodeLabels)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean matches(NodeSelectorRequirement requirement, Map<String, String> labels) {
    SelectorOperator operator = SelectorOperator.parse(requirement.operator());
    if (operator == null || requirement.key() == null) {
      return false;
    }
    String value = labels.get(requirement.key());
    List<String> values =
        requirement.values() == null
            ? List.of()
            : requirement.values().stream().filter(Objects::nonNull).toList();
    return switch (operator) {
      case In -> value != null && values.contains(value);
      case NotIn -> value == null || !values.contains(value);
      case Exists -> labels.containsKey(requirement.key());
      case DoesNotExist -> !labels.containsKey(requirement.key());
    };
  }
}
