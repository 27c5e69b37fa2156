package io.tcpteardown.api;

/**
 * The safety rules that the API server can enforce itself (Kubernetes 1.25+ with CEL), as
 * x-kubernetes-validations on the profile spec. The same rules live in Java in {@code
 * io.tcpteardown.rules.SafetyRules}, which every component uses.
 */
public final class ProfileCelRules {
  public static final String NO_TW_RECYCLE = "!has(self.twRecycle) || self.twRecycle == false";
  public static final String NO_TW_RECYCLE_MESSAGE =
      "spec.twRecycle: true is rejected: tcp_tw_recycle was "
          + "removed in Linux 4.12 because it dropped connections from clients behind NAT; remove the field and "
          + "use twReuse for outgoing connections";
  public static final String REUSE_NEEDS_TIMESTAMPS =
      "!(has(self.twReuse) && self.twReuse != 'Disabled' "
          + "&& has(self.timestamps) && self.timestamps == 'Disabled')";
  public static final String REUSE_NEEDS_TIMESTAMPS_MESSAGE =
      "spec.twReuse with spec.timestamps: Disabled is "
          + "rejected: TIME_WAIT reuse only happens, and is only safe, with TCP timestamps on at both ends; set "
          + "timestamps to Enabled or remove it, or set twReuse to Disabled";

  /**
   * On each item of spec.nodeSelector.matchExpressions: In and NotIn need values, Exists and
   * DoesNotExist take none. The schema cannot say it (it depends on another field), so CEL does,
   * and {@code SafetyRules} in Java for servers before 1.25 and for validate.
   */
  public static final String SELECTOR_VALUES =
      "!has(self.operator) || ((self.operator == 'In' || self.operator == 'NotIn')"
          + " ? (has(self.values) && size(self.values) > 0)"
          + " : (!has(self.values) || size(self.values) == 0))";

  public static final String SELECTOR_VALUES_MESSAGE =
      "this matchExpressions item: operators In and NotIn need at least one value, "
          + "Exists and DoesNotExist take no values; add values or change the operator";

  /**
   * On every label selector: matchLabels keys of at most 317 characters (a 253-character prefix, a
   * slash, a 63-character name), values of at most 63, as Kubernetes allows for labels. The schema
   * cannot bound a map's keys, so CEL does, and {@code SafetyRules} in Java.
   */
  public static final String LABEL_LENGTHS =
      "!has(self.matchLabels) || self.matchLabels.all(k, size(k) <= 317"
          + " && size(self.matchLabels[k]) <= 63)";

  public static final String LABEL_LENGTHS_MESSAGE =
      "matchLabels: a key may have at most 317 characters and a value at most 63, as for any"
          + " Kubernetes label; shorten them";

  /** On each matchExpressions item: values of at most 63 characters, as for any label value. */
  public static final String VALUE_LENGTHS =
      "!has(self.values) || self.values.all(v, size(v) <= 63)";

  public static final String VALUE_LENGTHS_MESSAGE =
      "this matchExpressions item: a value may have at most 63 characters, as for any Kubernetes"
          + " label value; shorten it";

  /** childEhashEntries: 0 (the shared table) or at least the floor. */
  public static final String CHILD_EHASH_FLOOR =
      "!has(self.childEhashEntries) || self.childEhashEntries == 0"
          + " || self.childEhashEntries >= "
          + SettingRanges.CHILD_EHASH_ENTRIES_FLOOR;

  public static final String CHILD_EHASH_FLOOR_MESSAGE =
      "spec.childEhashEntries must be 0 (pods share the node's table) or at least "
          + SettingRanges.CHILD_EHASH_ENTRIES_FLOOR
          + ": a pod's namespace gets half its table as its TIME_WAIT limit (tcp_max_tw_buckets),"
          + " and a smaller table gives less than "
          + SettingRanges.MAX_TW_BUCKETS_MIN
          + ", the lowest maxTwBuckets a profile may set";

  /** With spec.pods: the pods' own table at least twice the maxTwBuckets set for those pods. */
  public static final String CHILD_EHASH_TWICE_TW =
      "!has(self.childEhashEntries) || self.childEhashEntries == 0 || !has(self.pods)"
          + " || !has(self.maxTwBuckets) || self.childEhashEntries >= 2 * self.maxTwBuckets";

  public static final String CHILD_EHASH_TWICE_TW_MESSAGE =
      "spec.childEhashEntries must be at least twice spec.maxTwBuckets when spec.pods is set:"
          + " the pods' own table would hold more TIME_WAIT sockets than half its buckets; raise"
          + " childEhashEntries or lower maxTwBuckets";

  private ProfileCelRules() {}
}
