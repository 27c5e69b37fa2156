package io.tcpteardown.api;

/**
 * The condition types, reasons and Event reasons of a TcpTeardownProfile, written by the operator.
 * One place for the vocabulary: the operator uses these constants, and the CRD's description of
 * status.conditions is made from them. Reasons of Accepted=False are the safety rules' names (see
 * the rules package).
 */
public final class ProfileConditions {
  public static final String ACCEPTED = "Accepted";
  public static final String APPLIED = "Applied";
  public static final String CONFLICT = "Conflict";
  public static final String TEARDOWN_PRESSURE = "TeardownPressure";
  public static final String HELD_BACK = "HeldBack";

  /** The CRD's description of status.conditions. */
  public static final String DESCRIPTION =
      "Conditions written by the operator: "
          + ACCEPTED
          + " (the profile passes every safety rule), "
          + APPLIED
          + " (every selected node's agent reads back the "
          + "values this profile won there), "
          + CONFLICT
          + " (a profile of equal priority sets a field differently), "
          + TEARDOWN_PRESSURE
          + " (a selected node is near a teardown limit or its kernel counters rose) and "
          + HELD_BACK
          + " (maxOrphans held back on a node whose memory cannot afford it)."
          + HealthConditions.DESCRIPTION;

  // Reasons.
  public static final String REASON_VALID = "Valid";
  public static final String REASON_NOT_ACCEPTED = "NotAccepted";
  public static final String REASON_NO_NODES_SELECTED = "NoNodesSelected";
  public static final String REASON_ALL_NODES_APPLIED = "AllNodesApplied";
  public static final String REASON_PENDING = "Pending";
  public static final String REASON_NO_CONFLICT = "NoConflict";
  public static final String REASON_EQUAL_PRIORITY_CLASH = "EqualPriorityClash";
  public static final String REASON_NO_PRESSURE = "NoPressure";
  public static final String REASON_TEARDOWN_PRESSURE = "TeardownPressure";
  public static final String REASON_NOTHING_HELD_BACK = "NothingHeldBack";
  public static final String REASON_MAX_ORPHANS_HELD_BACK = "MaxOrphansHeldBack";

  /** HeldBack=True where a field other than maxOrphans (childEhashEntries) is held back too. */
  public static final String REASON_SETTINGS_HELD_BACK = "SettingsHeldBack";

  /** Applied=False: a selected node's agent does not list the podRules feature (older version). */
  public static final String REASON_AGENT_WITHOUT_POD_RULES = "AgentWithoutPodRules";

  /** Applied=False: some matched pods do not have the profile's values yet, or have errors. */
  public static final String REASON_PODS_NOT_APPLIED = "PodsNotApplied";

  // Event reasons on a TcpTeardownProfile.
  public static final String EVENT_REJECTED = "Rejected";
  public static final String EVENT_CONFLICT = "Conflict";

  private ProfileConditions() {}
}
