package io.tcpteardown.api;

/**
 * The condition types, reasons and Event reasons of a TcpTeardownNode, written by the node agent.
 * One place for the vocabulary: the agent uses these constants, and the CRD's description of
 * status.conditions is made from them.
 */
public final class NodeConditions {
  public static final String APPLIED = "Applied";
  public static final String ERROR = "Error";
  public static final String DRIFT = "Drift";
  public static final String REUSE_INEFFECTIVE = "ReuseIneffective";
  public static final String TEARDOWN_PRESSURE = "TeardownPressure";
  public static final String HOST_NETWORK = "HostNetwork";
  public static final String CLOSE_WAIT_LEAK = "CloseWaitLeak";

  /** Present only while pod sweeps are costly because pods share the node's TCP hash table. */
  public static final String POD_HASH_TABLES = "PodHashTables";

  public static final String REASON_SHARED_TABLE_COSTLY = "SharedTableCostly";

  /** The CRD's description of status.conditions. */
  public static final String DESCRIPTION =
      "Conditions written by the node agent: "
          + APPLIED
          + " (the spec's values are written and read back), "
          + ERROR
          + " (a refused spec, a state-file problem or a "
          + "per-field failure), "
          + DRIFT
          + " (a managed value was changed by someone else and written back), "
          + REUSE_INEFFECTIVE
          + " (twReuse asked for while tcp_timestamps is 0), "
          + TEARDOWN_PRESSURE
          + " (TIME_WAIT or orphans near their limits, in the node's or a pod's namespace), "
          + HOST_NETWORK
          + " (whether the agent runs in the node's own network namespace) and "
          + CLOSE_WAIT_LEAK
          + " (a pod whose CLOSE_WAIT sockets stay at or above the threshold: the peer closed, the"
          + " application has not called close()); "
          + POD_HASH_TABLES
          + " (only while pod sweeps cost much because pods share the node's TCP hash table:"
          + " advice to set childEhashEntries)."
          + HealthConditions.DESCRIPTION;

  // Reasons of Applied.
  public static final String REASON_APPLIED = "Applied";
  public static final String REASON_NOTHING_TO_APPLY = "NothingToApply";
  public static final String REASON_NOT_APPLIED = "NotApplied";
  public static final String REASON_PARTIALLY_APPLIED = "PartiallyApplied";
  // Reasons of Error.
  public static final String REASON_NO_ERROR = "NoError";
  public static final String REASON_STATE_FILE_CORRUPT = "StateFileCorrupt";
  public static final String REASON_SYSCTL_FAILED = "SysctlFailed";
  public static final String REASON_SETTINGS_REFUSED = "SettingsRefused";
  // Reasons of Drift.
  public static final String REASON_NO_DRIFT = "NoDrift";
  public static final String REASON_DRIFT_CORRECTED = "DriftCorrected";
  public static final String REASON_DRIFT_FIGHT = "DriftFight";
  // Reasons of ReuseIneffective.
  public static final String REASON_TIMESTAMPS_OFF = "TimestampsOff";
  public static final String REASON_TIMESTAMPS_ON = "TimestampsOn";
  public static final String REASON_REUSE_NOT_REQUESTED = "ReuseNotRequested";
  // Reasons of TeardownPressure.
  public static final String REASON_BELOW_LIMITS = "BelowLimits";
  public static final String REASON_TIME_WAIT_NEAR_LIMIT = "TimeWaitNearLimit";
  public static final String REASON_ORPHANS_NEAR_LIMIT = "OrphansNearLimit";
  public static final String REASON_POD_PRESSURE = "PodPressure";
  // Reasons of CloseWaitLeak.
  public static final String REASON_LEAK_SUSPECTED = "LeakSuspected";
  public static final String REASON_NO_LEAK = "NoLeak";
  // Reasons of HostNetwork.
  public static final String REASON_INITIAL_NAMESPACE = "InitialNamespace";
  public static final String REASON_NOT_INITIAL_NAMESPACE = "NotInitialNamespace";

  // Event reasons on a TcpTeardownNode.
  public static final String EVENT_APPLIED = "Applied";
  public static final String EVENT_RESTORED = "Restored";
  public static final String EVENT_APPLY_FAILED = "ApplyFailed";
  public static final String EVENT_DRIFT_CORRECTED = "DriftCorrected";
  public static final String EVENT_REAPPLIED_AFTER_REBOOT = "ReappliedAfterReboot";
  // Event reason on a Pod.
  public static final String EVENT_CLOSE_WAIT_LEAK = "CloseWaitLeak";

  private NodeConditions() {}
}
