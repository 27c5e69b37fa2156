package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
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
    @JsonPropertyDescription(
            "Per-field errors, each naming sysctl, value and what to do; at most one per field and"
                + " one for the whole pod, each at most 256 characters.")
        @Size(max = PodTuningEntry.MAX_ERRORS)
        List<String> errors) {

  public PodTuningEntry {
    errors = errors == null ? null : bounded(errors);
  }

  /** One error per managed sysctl and one about the whole pod. */
  public static final int MAX_ERRORS = 7;

  /** Characters of one error at most. */
  public static final int MAX_ERROR = 256;

  /** At most {@value #MAX_ERRORS} errors, each safe text of at most {@value #MAX_ERROR}. */
  public static List<String> bounded(List<String> errors) {
    return errors.stream().limit(MAX_ERRORS).map(e -> SafeText.of(e, MAX_ERROR)).toList();
  }
}
