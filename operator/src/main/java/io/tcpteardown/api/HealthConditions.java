package io.tcpteardown.api;

/**
 * The summary conditions both kinds carry for tools that judge health by convention: {@code Ready},
 * {@code Reconciling} and {@code Stalled}, as kstatus (Flux's health checks, {@code kubectl wait
 * --for=condition=Ready}) reads them, and the chart's Argo CD health script. Derived from each
 * kind's own conditions (rules.HealthSummary); Reconciling and Stalled are never both True, and
 * every failure that needs someone to act sets Stalled.
 */
public final class HealthConditions {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  /** The CRD description's part about these three. */
  public static final String DESCRIPTION =
      " Summary, as kstatus reads it: "
          + READY
          + " (the object is in the state it asks for; True with TeardownPressure or HeldBack named"
          + " in its message), "
          + RECONCILING
          + " (a change is spreading) and "
          + STALLED
          + " (no progress without someone acting; the reason says why).";

  // Reasons of Ready.
  public static final String REASON_READY = "Ready";
  public static final String REASON_RECONCILING = "Reconciling";
  public static final String REASON_STALLED = "Stalled";

  // Reasons of Reconciling (False: the same as Ready's or Stalled's).
  public static final String REASON_NODES_NOT_APPLIED = "NodesNotApplied";
  public static final String REASON_APPLYING = "Applying";
  public static final String REASON_NOT_RECONCILING = "NotReconciling";

  // Reasons of Stalled.
  public static final String REASON_NOT_STALLED = "NotStalled";
  public static final String REASON_NOT_ACCEPTED = "NotAccepted";
  public static final String REASON_CONFLICT = "Conflict";
  public static final String REASON_AGENT_WITHOUT_FEATURE = "AgentWithoutFeature";
  public static final String REASON_AGENT_NOT_REPORTING = "AgentNotReporting";
  public static final String REASON_NODE_ERROR = "NodeError";
  public static final String REASON_SPEC_REFUSED = "SpecRefused";
  public static final String REASON_VALUE_REFUSED = "ValueRefused";
  public static final String REASON_STATE_FILE_CORRUPT = "StateFileCorrupt";

  private HealthConditions() {}
}
