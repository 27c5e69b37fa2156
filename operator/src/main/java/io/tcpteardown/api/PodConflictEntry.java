package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Profiles of equal priority that set one field of the same pods to different values. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodConflictEntry(
    @JsonPropertyDescription(
            "The profiles, the winner (its name sorts first) first; at most " + MAX_PROFILES + ".")
        @Size(max = MAX_PROFILES)
        List<String> profiles,
    @JsonPropertyDescription("The field.") @Size(max = 64) String field,
    @JsonPropertyDescription("The pods (namespace/name), at most " + MAX_PODS + ".")
        @Size(max = MAX_PODS)
        List<String> pods) {

  /** Conflicts listed in a node's status at most. */
  public static final int MAX_CONFLICTS = 8;

  /** Profiles named per conflict at most. */
  public static final int MAX_PROFILES = 8;

  /** Pods named per conflict at most. */
  public static final int MAX_PODS = 5;
}
