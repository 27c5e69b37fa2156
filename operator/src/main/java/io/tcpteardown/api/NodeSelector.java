package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * The nodes a profile selects: the JSON shape of a standard Kubernetes label selector, with a
 * schema that requires what resolution needs (Fabric8's LabelSelector admits a requirement without
 * key or operator).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = ProfileCelRules.LABEL_LENGTHS,
    message = ProfileCelRules.LABEL_LENGTHS_MESSAGE)
public record NodeSelector(
    @JsonPropertyDescription(
            "Labels that must all be present with exactly these values (at most "
                + NodeSelector.MAX_LABELS
                + "; keys of at most 317 characters, values of at most 63). An empty map adds no"
                + " condition.")
        @Size(max = NodeSelector.MAX_LABELS)
        Map<String, String> matchLabels,
    @JsonPropertyDescription(
            "Requirements that must all hold (at most "
                + NodeSelector.MAX_EXPRESSIONS
                + "). An empty list adds no condition.")
        @Size(max = NodeSelector.MAX_EXPRESSIONS)
        List<NodeSelectorRequirement> matchExpressions) {

  /**
   * Bounds the list so that the CEL rule on each item stays within the API server's budget, and so
   * that the pod rules a node's spec copies stay under etcd's limit (docs/design.md, "Bounds").
   */
  public static final int MAX_EXPRESSIONS = 16;

  /** At most this many matchLabels; the same reason. */
  public static final int MAX_LABELS = 16;
}
