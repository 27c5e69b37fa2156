package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One selected node in a profile's status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProfileNodeEntry(
    String name,
    @JsonPropertyDescription("The node's agent reports this profile's winning settings applied.")
        boolean applied,
    long finWait1,
    long finWait2,
    long timeWait,
    long closeWait,
    long lastAck,
    long closing,
    long orphans,
    @JsonPropertyDescription("Settings of this profile not applied to this node, and why.")
        String heldBack) {}
