package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Nullable;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/**
 * The settings resolved for one node from every profile that selects it; written by the operator
 * only. Empty collections are left out of the JSON (so that server-side apply removes them) and
 * read back as empty; they are nullable in the schema because some API servers (1.20) store a
 * removed map as null.
 */
@JsonClassDescription(
    "Written by the operator: the settings resolved for this node from every profile that"
        + " selects it, which profile each came from, the selecting profiles, settings held back"
        + " and pod rules.")
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record TcpTeardownNodeSpec(
    @JsonPropertyDescription(FieldDocs.ORPHAN_RETRIES) Integer orphanRetries,
    @JsonPropertyDescription(FieldDocs.FIN_TIMEOUT) Integer finTimeoutSeconds,
    @JsonPropertyDescription(FieldDocs.MAX_ORPHANS) Integer maxOrphans,
    @JsonPropertyDescription(FieldDocs.MAX_TW_BUCKETS) Integer maxTwBuckets,
    @JsonPropertyDescription(FieldDocs.TW_REUSE) TwReuse twReuse,
    @JsonPropertyDescription(FieldDocs.TIMESTAMPS) Timestamps timestamps,
    @JsonPropertyDescription("For each set field, the profile it came from.")
        @Nullable
        @Size(max = TcpTeardownNodeSpec.MAX_SOURCES)
        Map<String, String> sources,
    @JsonPropertyDescription(
            "Profiles selecting this node, sorted by name (the "
                + TcpTeardownNodeSpec.MAX_PROFILES
                + " first in precedence at most).")
        @Nullable
        @Size(max = TcpTeardownNodeSpec.MAX_PROFILES)
        List<String> profiles,
    @JsonPropertyDescription(
            "Settings a selecting profile asked for that are held back on this node, and why (at"
                + " most "
                + TcpTeardownNodeSpec.MAX_HELD_BACK
                + ").")
        @Nullable
        @Size(max = TcpTeardownNodeSpec.MAX_HELD_BACK)
        List<HeldBackSetting> heldBack,
    @JsonPropertyDescription(
            "The pod rules of the selecting profiles that have spec.pods, sorted by profile (the "
                + TcpTeardownNodeSpec.MAX_POD_RULES
                + " first in precedence at most); the agent resolves them against the pods of this"
                + " node.")
        @Nullable
        @Size(max = TcpTeardownNodeSpec.MAX_POD_RULES)
        List<NodePodRule> podRules,
    @JsonPropertyDescription(FieldDocs.CHILD_EHASH_ENTRIES) Integer childEhashEntries) {

  /**
   * Profiles one node's spec names at most; further profiles that select the node are held back on
   * it (the bounds keep the largest TcpTeardownNode under etcd's limit: docs/design.md, "Bounds").
   */
  public static final int MAX_PROFILES = 128;

  /** Pod rules one node's spec carries at most; further ones are held back. */
  public static final int MAX_POD_RULES = 16;

  /** Held-back entries at most; beyond them, the first in precedence are kept. */
  public static final int MAX_HELD_BACK = 128;

  /** One source per managed field. */
  public static final int MAX_SOURCES = 8;

  public TcpTeardownNodeSpec {
    sources = sources == null ? Map.of() : sources;
    profiles = profiles == null ? List.of() : profiles;
    heldBack = heldBack == null ? List.of() : heldBack;
    podRules = podRules == null ? List.of() : podRules;
  }

  /** A spec without childEhashEntries. */
  public TcpTeardownNodeSpec(
      Integer orphanRetries,
      Integer finTimeoutSeconds,
      Integer maxOrphans,
      Integer maxTwBuckets,
      TwReuse twReuse,
      Timestamps timestamps,
      Map<String, String> sources,
      List<String> profiles,
      List<HeldBackSetting> heldBack,
      List<NodePodRule> podRules) {
    this(
        orphanRetries,
        finTimeoutSeconds,
        maxOrphans,
        maxTwBuckets,
        twReuse,
        timestamps,
        sources,
        profiles,
        heldBack,
        podRules,
        null);
  }

  /** A spec without pod rules. */
  public TcpTeardownNodeSpec(
      Integer orphanRetries,
      Integer finTimeoutSeconds,
      Integer maxOrphans,
      Integer maxTwBuckets,
      TwReuse twReuse,
      Timestamps timestamps,
      Map<String, String> sources,
      List<String> profiles,
      List<HeldBackSetting> heldBack) {
    this(
        orphanRetries,
        finTimeoutSeconds,
        maxOrphans,
        maxTwBuckets,
        twReuse,
        timestamps,
        sources,
        profiles,
        heldBack,
        null);
  }

  public static TcpTeardownNodeSpec of(
      TeardownSettings settings,
      Map<String, String> sources,
      List<String> profiles,
      List<HeldBackSetting> heldBack) {
    return of(settings, sources, profiles, heldBack, List.of());
  }

  public static TcpTeardownNodeSpec of(
      TeardownSettings settings,
      Map<String, String> sources,
      List<String> profiles,
      List<HeldBackSetting> heldBack,
      List<NodePodRule> podRules) {
    return new TcpTeardownNodeSpec(
        settings.orphanRetries(),
        settings.finTimeoutSeconds(),
        settings.maxOrphans(),
        settings.maxTwBuckets(),
        settings.twReuse(),
        settings.timestamps(),
        sources,
        profiles,
        heldBack,
        podRules,
        settings.childEhashEntries());
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
}
