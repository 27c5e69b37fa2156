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

  private ProfileCelRules() {}
}
