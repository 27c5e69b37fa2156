package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A profile's pod rules over all its selected nodes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodSummary(
    @JsonPropertyDescription("Pods the profile's pod rules select on its nodes.") Long matched,
    @JsonPropertyDescription("Of those, pods where every field this profile won reads back.")
        Long applied,
    @JsonPropertyDescription("Of those, pods with an error in a field this profile won.")
        Long errors) {}
