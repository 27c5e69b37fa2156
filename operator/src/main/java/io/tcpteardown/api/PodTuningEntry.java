package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/** What the pod rules did in one pod's network namespace. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PodTuningEntry(
    @JsonPropertyDescription("Sysctl name to the value read back in the pod's namespace.")
        Map<String, String> applied,
    @JsonPropertyDescription("Field to the profile whose value the pod gets (or would get).")
        Map<String, String> sources,
    @JsonPropertyDescription(
            "Field to the profile that would set it, for fields the pod sets itself in"
                + " securityContext.sysctls: left to the pod.")
        Map<String, String> leftToPod,
    @JsonPropertyDescription(
            "ReportOnly: sysctl name to 'current -> wanted' for values that would change.")
        Map<String, String> wouldChange,
    @JsonPropertyDescription("Per-field errors, each naming sysctl, value and what to do.")
        List<String> errors) {}
