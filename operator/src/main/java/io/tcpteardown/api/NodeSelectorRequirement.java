package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * One requirement of a node selector: {@code key}, {@code operator} (In, NotIn, Exists,
 * DoesNotExist) and {@code values}. The operator stays a string in Java so that an object stored
 * under an older, looser schema still reads, and is then refused by the rules with its value named.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = ProfileCelRules.SELECTOR_VALUES,
    message = ProfileCelRules.SELECTOR_VALUES_MESSAGE)
@ValidationRule(
    value = ProfileCelRules.VALUE_LENGTHS,
    message = ProfileCelRules.VALUE_LENGTHS_MESSAGE)
public record NodeSelectorRequirement(
    @JsonPropertyDescription("The node label key the requirement is about.")
        @Required
        @Size(min = 1, max = NodeSelectorRequirement.MAX_KEY_LENGTH)
        String key,
    @JsonPropertyDescription(
            "In, NotIn (both need values), Exists or DoesNotExist (both take no values).")
        @Required
        @SchemaFrom(type = SelectorOperator.class)
        String operator,
    @JsonPropertyDescription(
            "The label values for In and NotIn (at least one, at most "
                + NodeSelectorRequirement.MAX_VALUES
                + ", each of at most 63 characters); absent or empty for Exists and DoesNotExist.")
        @Size(max = NodeSelectorRequirement.MAX_VALUES)
        List<String> values) {

  /** A qualified label key: an optional 253-character prefix, a slash and a 63-character name. */
  public static final int MAX_KEY_LENGTH = 317;

  /**
   * Bounds the list so that the CEL rule stays within the API server's cost budget, and so that the
   * pod rules a node's spec copies stay under etcd's limit (docs/design.md, "Bounds").
   */
  public static final int MAX_VALUES = 16;

  /** A label value: at most 63 characters. */
  public static final int MAX_VALUE_LENGTH = 63;
}
