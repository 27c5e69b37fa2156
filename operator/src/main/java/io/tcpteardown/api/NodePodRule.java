package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One selecting profile's pod rule, copied by the operator into a node's spec; the agent resolves
 * the rules against the pods of its node (pods are node-local).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodePodRule(
    @JsonPropertyDescription("The profile this rule comes from.")
        @io.fabric8.generator.annotation.Size(max = HeldBackSetting.MAX_PROFILE)
        String profile,
    @JsonPropertyDescription("The profile's priority (highest wins per pod and field).")
        Integer priority,
    @JsonPropertyDescription("The profile's spec.pods.namespaceSelector.")
        NodeSelector namespaceSelector,
    @JsonPropertyDescription("The profile's spec.pods.podSelector.") NodeSelector podSelector,
    @JsonPropertyDescription("Apply or ReportOnly.") PodMode mode,
    @JsonPropertyDescription(FieldDocs.ORPHAN_RETRIES) Integer orphanRetries,
    @JsonPropertyDescription(FieldDocs.FIN_TIMEOUT) Integer finTimeoutSeconds,
    @JsonPropertyDescription(FieldDocs.MAX_TW_BUCKETS) Integer maxTwBuckets,
    @JsonPropertyDescription(FieldDocs.TW_REUSE) TwReuse twReuse,
    @JsonPropertyDescription(FieldDocs.TIMESTAMPS) Timestamps timestamps) {

  /** The per-namespace fields of the rule (never maxOrphans). */
  @JsonIgnore
  public TeardownSettings settings() {
    return new TeardownSettings(
        orphanRetries, finTimeoutSeconds, null, maxTwBuckets, twReuse, timestamps);
  }
}
