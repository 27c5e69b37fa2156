package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/**
 * The nodes a profile selects: the JSON shape of a standard Kubernetes label selector, with a
 * schema that requires what resolution needs (Fabric8's LabelSelector admits a requirement without
 * key or operator).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeSelector(
    @JsonPropertyDescription(
            "Node labels that must all be present with exactly these values. An empty map adds no "
                + "condition.")
        Map<String, String> matchLabels,
    @JsonPropertyDescription(
            "Requirements that must all hold (at most "
                + NodeSelector.MAX_EXPRESSIONS
                + "). An empty list adds no condition.")
        @Size(max = NodeSelector.MAX_EXPRESSIONS)
        List<NodeSelectorRequirement> matchExpressions) {

  /** Bounds the list so that the CEL rule on each item stays within the API server's budget. */
  public static final int MAX_EXPRESSIONS = 64;
}
