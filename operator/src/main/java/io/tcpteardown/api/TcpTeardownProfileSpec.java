package io.tcpteardown.api;

import static io.tcpteardown.api.SettingRanges.*;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** What a profile asks for: which nodes, how strongly, and which teardown settings. */
@JsonClassDescription(
    "What the profile asks for: which nodes (nodeSelector), how strongly (priority), the"
        + " teardown settings for those nodes' own network namespace, and optionally pod rules"
        + " (pods) for pods' namespaces. Every setting is optional; an absent one is left as"
        + " the node has it.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = ProfileCelRules.NO_TW_RECYCLE,
    message = ProfileCelRules.NO_TW_RECYCLE_MESSAGE)
@ValidationRule(
    value = ProfileCelRules.REUSE_NEEDS_TIMESTAMPS,
    message = ProfileCelRules.REUSE_NEEDS_TIMESTAMPS_MESSAGE)
@ValidationRule(
    value = ProfileCelRules.CHILD_EHASH_FLOOR,
    message = ProfileCelRules.CHILD_EHASH_FLOOR_MESSAGE)
@ValidationRule(
    value = ProfileCelRules.CHILD_EHASH_TWICE_TW,
    message = ProfileCelRules.CHILD_EHASH_TWICE_TW_MESSAGE)
public record TcpTeardownProfileSpec(
    @JsonPropertyDescription(
            "Selects the nodes this profile applies to (matchLabels, matchExpressions). "
                + "Absent selects every node.")
        NodeSelector nodeSelector,
    @JsonPropertyDescription(
            "0..1000, default 0. Where several profiles set the same field on one node, the "
                + "highest priority wins; at equal priority the profile whose name sorts first wins and both get a "
                + "Conflict condition.")
        @Min(PRIORITY_MIN)
        @Max(PRIORITY_MAX)
        @Default("0")
        Integer priority,
    @JsonPropertyDescription(FieldDocs.ORPHAN_RETRIES)
        @Min(ORPHAN_RETRIES_MIN)
        @Max(ORPHAN_RETRIES_MAX)
        Integer orphanRetries,
    @JsonPropertyDescription(FieldDocs.FIN_TIMEOUT) @Min(FIN_TIMEOUT_MIN) @Max(FIN_TIMEOUT_MAX)
        Integer finTimeoutSeconds,
    @JsonPropertyDescription(FieldDocs.MAX_ORPHANS) @Min(MAX_ORPHANS_MIN) @Max(MAX_ORPHANS_MAX)
        Integer maxOrphans,
    @JsonPropertyDescription(FieldDocs.MAX_TW_BUCKETS)
        @Min(MAX_TW_BUCKETS_MIN)
        @Max(MAX_TW_BUCKETS_MAX)
        Integer maxTwBuckets,
    @JsonPropertyDescription(FieldDocs.TW_REUSE) TwReuse twReuse,
    @JsonPropertyDescription(FieldDocs.TIMESTAMPS) Timestamps timestamps,
    @JsonPropertyDescription(
            "net.ipv4.tcp_tw_recycle. Always rejected when true: it was removed in Linux 4.12 "
                + "because it dropped connections from clients behind NAT. Use twReuse for outgoing connections. "
                + "The field exists only so that true is refused with this explanation instead of being dropped.")
        Boolean twRecycle,
    @JsonPropertyDescription(
            "Also tune the network namespaces of the pods this selects on the selected nodes"
                + " (every field but maxOrphans, which is node-wide, and childEhashEntries, which"
                + " is the node's). Absent: pods are left alone.")
        ProfilePods pods,
    @JsonPropertyDescription(FieldDocs.CHILD_EHASH_ENTRIES)
        @Min(CHILD_EHASH_ENTRIES_MIN)
        @Max(CHILD_EHASH_ENTRIES_MAX)
        Integer childEhashEntries) {

  /** A profile without childEhashEntries. */
  public TcpTeardownProfileSpec(
      NodeSelector nodeSelector,
      Integer priority,
      Integer orphanRetries,
      Integer finTimeoutSeconds,
      Integer maxOrphans,
      Integer maxTwBuckets,
      TwReuse twReuse,
      Timestamps timestamps,
      Boolean twRecycle,
      ProfilePods pods) {
    this(
        nodeSelector,
        priority,
        orphanRetries,
        finTimeoutSeconds,
        maxOrphans,
        maxTwBuckets,
        twReuse,
        timestamps,
        twRecycle,
        pods,
        null);
  }

  /** A profile that leaves pods alone. */
  public TcpTeardownProfileSpec(
      NodeSelector nodeSelector,
      Integer priority,
      Integer orphanRetries,
      Integer finTimeoutSeconds,
      Integer maxOrphans,
      Integer maxTwBuckets,
      TwReuse twReuse,
      Timestamps timestamps,
      Boolean twRecycle) {
    this(
        nodeSelector,
        priority,
        orphanRetries,
        finTimeoutSeconds,
        maxOrphans,
        maxTwBuckets,
        twReuse,
        timestamps,
        twRecycle,
        null);
  }

  public int effectivePriority() {
    return priority == null ? 0 : priority;
  }

  @JsonIgnore
  public TeardownSettings settings() {
    return new TeardownSettings(
        orphanRetries,
        finTimeoutSeconds,
        maxOrphans,
        maxTwBuckets,
        twReuse,
        timestamps,
        childEhashEntries);
  }

  /** This spec with its setting fields those of {@code s}: the twin of {@link #settings()}. */
  public TcpTeardownProfileSpec withSettings(TeardownSettings s) {
    return new TcpTeardownProfileSpec(
        nodeSelector,
        priority,
        s.orphanRetries(),
        s.finTimeoutSeconds(),
        s.maxOrphans(),
        s.maxTwBuckets(),
        s.twReuse(),
        s.timestamps(),
        twRecycle,
        pods,
        s.childEhashEntries());
  }
}
