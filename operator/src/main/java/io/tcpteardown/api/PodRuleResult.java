package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** How one profile's pod rule fared on a node's pods, as its agent reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodRuleResult(
    @JsonPropertyDescription("The profile.") @Size(max = 253) String profile,
    @JsonPropertyDescription("Pods of this node the rule selects (hostNetwork pods excluded).")
        Long matched,
    @JsonPropertyDescription(
            "Matched pods where every field this profile won reads back as its value.")
        Long applied,
    @JsonPropertyDescription("Matched pods with an error in a field this profile won.")
        Long errors) {

  /** Profiles with pod rules reported per node at most. */
  public static final int MAX_RULES = 64;
}
