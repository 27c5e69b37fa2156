package io.tcpteardown.rules;

import static io.tcpteardown.api.HealthConditions.READY;
import static io.tcpteardown.api.HealthConditions.RECONCILING;
import static io.tcpteardown.api.HealthConditions.STALLED;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.HealthConditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.SafeText;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Ready, Reconciling and Stalled from a kind's own conditions, as a chain of small checks: the
 * first that finds a stall wins, then a change still spreading, else Ready. Reconciling and Stalled
 * are never both True. Messages say what to do.
 */
public final class HealthSummary {
  /** How many names a message lists before "and N more". */
  static final int NAMED = 5;

  private HealthSummary() {}

  /** One verdict: stalled, reconciling or ready, with its reason and message. */
  record Verdict(State state, String reason, String message) {
    enum State {
      STALLED,
      RECONCILING,
      READY
    }
  }

  /**
   * A profile's summary.
   *
   * @param conditions the profile's own conditions (Accepted, Applied, Conflict, TeardownPressure,
   *     HeldBack)
   * @param silentNodes selected nodes whose agents have not reported for two report intervals and a
   *     minute
   * @param erroredNodes selected nodes whose agents report Error=True, as "node: message"
   */
  public static List<Condition> forProfile(
      List<Condition> conditions,
      Collection<String> silentNodes,
      Collection<String> erroredNodes,
      Long generation) {
    Verdict verdict =
        firstOf(
                notAccepted(conditions),
                inConflict(conditions),
                agentWithoutFeature(conditions),
                agentNotReporting(silentNodes),
                nodeErrors(erroredNodes),
                nodesNotApplied(conditions))
            .orElseGet(
                () ->
                    new Verdict(
                        Verdict.State.READY,
                        HealthConditions.REASON_READY,
                        readyMessage(
                            appliedMessage(conditions),
                            conditions,
                            ProfileConditions.TEARDOWN_PRESSURE,
                            ProfileConditions.HELD_BACK)));
    return summary(verdict, generation);
  }

  /** A TcpTeardownNode's summary, from the conditions its agent writes. */
  public static List<Condition> forNode(List<Condition> conditions, Long generation) {
    Verdict verdict =
        firstOf(nodeError(conditions), nodeApplying(conditions))
            .orElseGet(
                () ->
                    new Verdict(
                        Verdict.State.READY,
                        HealthConditions.REASON_READY,
                        readyMessage(
                            "The spec's values are written and read back.",
                            conditions,
                            NodeConditions.TEARDOWN_PRESSURE,
                            NodeConditions.CLOSE_WAIT_LEAK,
                            NodeConditions.DRIFT)));
    return summary(verdict, generation);
  }

  @SafeVarargs
  private static Optional<Verdict> firstOf(Optional<Verdict>... checks) {
    for (Optional<Verdict> check : checks) {
      if (check.isPresent()) {
        return check;
      }
    }
    return Optional.empty();
  }

  private static Optional<Verdict> notAccepted(List<Condition> conditions) {
    return falseCondition(conditions, ProfileConditions.ACCEPTED)
        .map(
            c ->
                stalled(
                    HealthConditions.REASON_NOT_ACCEPTED,
                    c.getMessage() + " Fix the fields named and apply the profile again."));
  }

  private static Optional<Verdict> inConflict(List<Condition> conditions) {
    return trueCondition(conditions, ProfileConditions.CONFLICT)
        .map(
            c ->
                stalled(
                    HealthConditions.REASON_CONFLICT,
                    c.getMessage()
                        + " Give one of the profiles another priority, or make the values agree."));
  }

  private static Optional<Verdict> agentWithoutFeature(List<Condition> conditions) {
    return falseCondition(conditions, ProfileConditions.APPLIED)
        .filter(c -> ProfileConditions.REASON_AGENT_WITHOUT_POD_RULES.equals(c.getReason()))
        .map(
            c ->
                stalled(
                    HealthConditions.REASON_AGENT_WITHOUT_FEATURE,
                    c.getMessage() + " Upgrade the agents of those nodes."));
  }

  private static Optional<Verdict> agentNotReporting(Collection<String> silentNodes) {
    if (silentNodes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        stalled(
            HealthConditions.REASON_AGENT_NOT_REPORTING,
            "The agents of "
                + silentNodes.size()
                + " selected node(s) have not reported for two report intervals and a minute: "
                + named(silentNodes)
                + ". Check the agent pods on those nodes."));
  }

  private static Optional<Verdict> nodeErrors(Collection<String> erroredNodes) {
    if (erroredNodes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        stalled(
            HealthConditions.REASON_NODE_ERROR,
            erroredNodes.size()
                + " selected node(s) report an error: "
                + named(erroredNodes)
                + ". See the Error condition of kubectl get ttn NODE -o yaml."));
  }

  private static Optional<Verdict> nodesNotApplied(List<Condition> conditions) {
    return falseCondition(conditions, ProfileConditions.APPLIED)
        .filter(c -> !ProfileConditions.REASON_NO_NODES_SELECTED.equals(c.getReason()))
        .map(
            c ->
                new Verdict(
                    Verdict.State.RECONCILING,
                    HealthConditions.REASON_NODES_NOT_APPLIED,
                    c.getMessage()));
  }

  private static Optional<Verdict> nodeError(List<Condition> conditions) {
    return trueCondition(conditions, NodeConditions.ERROR)
        .map(
            c ->
                stalled(
                    switch (String.valueOf(c.getReason())) {
                      case NodeConditions.REASON_SETTINGS_REFUSED ->
                          HealthConditions.REASON_SPEC_REFUSED;
                      case NodeConditions.REASON_STATE_FILE_CORRUPT ->
                          HealthConditions.REASON_STATE_FILE_CORRUPT;
                      default -> HealthConditions.REASON_VALUE_REFUSED;
                    },
                    c.getMessage()));
  }

  private static Optional<Verdict> nodeApplying(List<Condition> conditions) {
    return falseCondition(conditions, NodeConditions.APPLIED)
        .map(
            c ->
                new Verdict(
                    Verdict.State.RECONCILING, HealthConditions.REASON_APPLYING, c.getMessage()));
  }

  private static String appliedMessage(List<Condition> conditions) {
    return Conditions.find(conditions, ProfileConditions.APPLIED)
        .map(Condition::getMessage)
        .orElse("Applied.");
  }

  /** Ready's message: what is true, and the informational conditions that are True by name. */
  private static String readyMessage(String base, List<Condition> conditions, String... notable) {
    List<String> named = new ArrayList<>();
    for (String type : notable) {
      if (Conditions.isTrue(conditions, type)) {
        named.add(type);
      }
    }
    return named.isEmpty()
        ? base
        : base + " Also True, see each: " + String.join(", ", named) + ".";
  }

  private static Verdict stalled(String reason, String message) {
    return new Verdict(Verdict.State.STALLED, reason, message);
  }

  private static Optional<Condition> trueCondition(List<Condition> conditions, String type) {
    return Conditions.find(conditions, type).filter(c -> Conditions.TRUE.equals(c.getStatus()));
  }

  private static Optional<Condition> falseCondition(List<Condition> conditions, String type) {
    return Conditions.find(conditions, type).filter(c -> Conditions.FALSE.equals(c.getStatus()));
  }

  static String named(Collection<String> names) {
    return SafeText.names(names, NAMED);
  }

  private static List<Condition> summary(Verdict verdict, Long generation) {
    boolean ready = verdict.state() == Verdict.State.READY;
    boolean reconciling = verdict.state() == Verdict.State.RECONCILING;
    boolean stalled = verdict.state() == Verdict.State.STALLED;
    String readyReason =
        ready
            ? HealthConditions.REASON_READY
            : reconciling ? HealthConditions.REASON_RECONCILING : HealthConditions.REASON_STALLED;
    return List.of(
        Conditions.of(READY, ready, readyReason, verdict.message(), generation),
        Conditions.of(
            RECONCILING,
            reconciling,
            reconciling ? verdict.reason() : HealthConditions.REASON_NOT_RECONCILING,
            reconciling ? verdict.message() : "No change is spreading.",
            generation),
        Conditions.of(
            STALLED,
            stalled,
            stalled ? verdict.reason() : HealthConditions.REASON_NOT_STALLED,
            stalled ? verdict.message() : "Nothing waits for someone to act.",
            generation));
  }
}
