package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Values someone else changed in one pod's network namespace, and how the agent answers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodDriftEntry(
    @JsonPropertyDescription(
            "Sysctls the latest drift check that found drift wrote back in the pod's namespace.")
        @Size(max = PodDriftEntry.MAX_FIELDS)
        List<String> corrected,
    @JsonPropertyDescription("Values written back in the pod's namespace since the agent started.")
        Long corrections,
    @JsonPropertyDescription("When values were last written back (RFC 3339).")
        @Size(max = PodDriftEntry.MAX_TIME)
        String lastCorrectionTime,
    @JsonPropertyDescription(
            "While something else keeps changing the pod's values, the agent leaves them until this"
                + " time (RFC 3339), waiting twice as long after each check that finds drift again,"
                + " up to 10 minutes.")
        @Size(max = PodDriftEntry.MAX_TIME)
        String backOffUntil) {

  /** One per managed sysctl, with room to spare. */
  public static final int MAX_FIELDS = 16;

  /** An RFC 3339 time in seconds has 20 characters. */
  public static final int MAX_TIME = 32;

  public PodDriftEntry {
    corrected = corrected == null ? null : List.copyOf(corrected);
  }
}
