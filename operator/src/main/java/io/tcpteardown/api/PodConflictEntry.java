package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Profiles of equal priority that set one field of the same pods to different values. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodConflictEntry(
    @JsonPropertyDescription("The profiles, the winner (its name sorts first) first.")
        List<String> profiles,
    @JsonPropertyDescription("The field.") String field,
    @JsonPropertyDescription("The pods (namespace/name), at most 20.") List<String> pods) {}
