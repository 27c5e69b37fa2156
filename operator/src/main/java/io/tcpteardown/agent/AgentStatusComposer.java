package io.tcpteardown.agent;

import static io.tcpteardown.api.NodeConditions.*;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.agent.pods.PodObserver;
import io.tcpteardown.agent.pods.PodTuningReport;
import io.tcpteardown.agent.pods.PodsSummary;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.rules.HealthSummary;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Turns the agent's state and its last look at the kernel into a TcpTeardownNode status. */
public final class AgentStatusComposer {

  private final AgentInfo agent;

  public AgentStatusComposer(AgentInfo agent) {
    this.agent = agent;
  }

  /** A status from a count taken just now. */
  public TcpTeardownNodeStatus compose(
      AgentState state, NodeObservation observation, List<Condition> previous, Instant now) {
    return compose(state, LatestCount.of(observation, now), previous, now);
  }

  /**
   * The status to publish at {@code now}. {@code previous} are the conditions last published (or
   * read from the API server at start: anything it admitted).
   */
  public TcpTeardownNodeStatus compose(
      AgentState state, LatestCount count, List<Condition> previous, Instant now) {
    return compose(state, count, Optional.empty(), previous, now);
  }

  /**
   * The status with the pods' part of the latest pod sweep, when there is one: {@code states}
   * becomes the whole node (the node's namespace and every pod's, orphans node-wide), {@code
   * hostStates} the node's namespace alone.
   */
  public TcpTeardownNodeStatus compose(
      AgentState state,
      LatestCount count,
      Optional<PodObserver.Result> pods,
      List<Condition> previous,
      Instant now) {
    return compose(state, count, pods, Optional.empty(), previous, now);
  }

  /**
   * The status with the pod rules' part of the latest tuning pass, when there is one: per-pod
   * results in {@code pods} (every pod with an error listed, whatever the limit), {@code
   * podConflicts} and {@code podRules}.
   */
  public TcpTeardownNodeStatus compose(
      AgentState state,
      LatestCount count,
      Optional<PodObserver.Result> pods,
      Optional<PodTuningReport> tuning,
      List<Condition> previous,
      Instant now) {
    NodeObservation observation = count.observation() == null ? UNCOUNTED : count.observation();
    List<Condition> next = conditions(state, count, observation);
    pods.ifPresent(p -> addPodConditions(next, p.summary(), state.generation()));
    next.addAll(HealthSummary.forNode(next, state.generation()));
    List<Condition> conditions = Conditions.carryTransitionTimes(previous, next, now);
    StateCounts host = count.observation() == null ? null : observation.states();
    StateCounts whole = host;
    if (host != null && pods.isPresent()) {
      StateCounts inPods = pods.get().summary().states();
      whole =
          new StateCounts(
              host.finWait1() + inPods.finWait1(),
              host.finWait2() + inPods.finWait2(),
              host.timeWait() + inPods.timeWait(),
              host.closeWait() + inPods.closeWait(),
              host.lastAck() + inPods.lastAck(),
              host.closing() + inPods.closing(),
              host.orphans());
    }
    PodsSummary summary = pods.map(PodObserver.Result::summary).orElse(null);
    return new TcpTeardownNodeStatus(
        state.generation(),
        keyed(state.applied()),
        keyed(state.originals()),
        whole,
        count.observation() == null ? null : observation.counters(),
        state.driftCorrections(),
        conditions,
        agent,
        rfc3339(now),
        count.countedAt() == null ? null : rfc3339(count.countedAt()),
        count.describeFailure(now),
        pods.isPresent() ? host : null,
        podEntries(summary, tuning),
        summary == null ? null : summary.podNamespaces(),
        summary == null || !summary.truncated() ? null : Boolean.TRUE,
        pods.map(p -> rfc3339(p.countedAt())).orElse(null),
        tuning.map(PodTuningReport::conflicts).filter(c -> !c.isEmpty()).orElse(null),
        tuning.map(PodTuningReport::rules).filter(r -> !r.isEmpty()).orElse(null));
  }

  private static List<io.tcpteardown.api.PodTeardownEntry> podEntries(
      PodsSummary summary, Optional<PodTuningReport> tuning) {
    List<io.tcpteardown.api.PodTeardownEntry> swept =
        summary == null ? List.of() : summary.entries();
    List<io.tcpteardown.api.PodTeardownEntry> merged =
        tuning.map(t -> t.merge(swept)).orElse(swept);
    return summary == null && merged.isEmpty() ? null : merged;
  }

  /**
   * Pods under pressure join TeardownPressure (naming the pod); a suspected CLOSE_WAIT leak sets
   * CloseWaitLeak, naming pod, process and count.
   */
  private static void addPodConditions(
      List<Condition> conditions, PodsSummary summary, Long generation) {
    if (!summary.pressure().isEmpty()) {
      for (int i = 0; i < conditions.size(); i++) {
        Condition pressure = conditions.get(i);
        if (TEARDOWN_PRESSURE.equals(pressure.getType())) {
          boolean nodeToo = Conditions.TRUE.equals(pressure.getStatus());
          String message =
              (nodeToo ? pressure.getMessage() + "; " : "") + summarizeMessages(summary.pressure());
          conditions.set(
              i,
              Conditions.of(
                  TEARDOWN_PRESSURE,
                  true,
                  nodeToo ? pressure.getReason() : REASON_POD_PRESSURE,
                  message,
                  generation));
        }
      }
    }
    conditions.add(
        summary.leaks().isEmpty()
            ? Conditions.of(
                CLOSE_WAIT_LEAK,
                false,
                REASON_NO_LEAK,
                "no pod holds CLOSE_WAIT sockets at or above the threshold for three sweeps",
                generation)
            : Conditions.of(
                CLOSE_WAIT_LEAK,
                true,
                REASON_LEAK_SUSPECTED,
                summarizeMessages(summary.leaks()),
                generation));
  }

  /** At most five messages, and how many more. */
  private static String summarizeMessages(List<String> messages) {
    String shown = String.join("; ", messages.subList(0, Math.min(5, messages.size())));
    return messages.size() > 5 ? shown + "; and " + (messages.size() - 5) + " more" : shown;
  }

  private static final NodeObservation UNCOUNTED =
      new NodeObservation(Map.of(), StateCounts.ZERO, KernelCounters.ZERO, "none");

  private static String rfc3339(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * Whether the agent runs in the node's initial network namespace, where tcp_max_orphans exists
   * (it exists in no other); empty before the first look.
   */
  public static java.util.Optional<Boolean> inInitialNamespace(NodeObservation observation) {
    if (observation == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(observation.sysctl(ManagedSysctl.MAX_ORPHANS).isPresent());
  }

  /** The HostNetwork condition's message, also logged at start. */
  public static String namespaceMessage(boolean initial) {
    return initial
        ? "net.ipv4.tcp_max_orphans exists: the agent runs in the node's initial network namespace,"
            + " so its values cover the node"
        : "net.ipv4.tcp_max_orphans does not exist here: the agent runs outside the node's initial"
            + " network namespace, so its values cover only that namespace and maxOrphans cannot be"
            + " set. Expected in tests and some local clusters; on a real node the agent's pod lacks"
            + " hostNetwork: true";
  }

  static Map<String, String> keyed(Map<ManagedSysctl, Long> values) {
    Map<String, String> keyed = new TreeMap<>();
    values.forEach((sysctl, value) -> keyed.put(sysctl.key(), Long.toString(value)));
    return keyed;
  }

  private static List<Condition> conditions(
      AgentState state, LatestCount count, NodeObservation observation) {
    Long generation = state.generation();
    AgentState.Problems problems = state.problems();
    List<Condition> conditions = new ArrayList<>();
    conditions.add(applied(state, generation));
    conditions.add(
        problems.any()
            ? Conditions.of(ERROR, true, errorReason(problems), problems.text(), generation)
            : Conditions.of(ERROR, false, REASON_NO_ERROR, "no error", generation));
    conditions.add(drift(state, generation));
    conditions.add(reuseIneffective(state, observation, generation));
    List<NodeWarnings.Warning> pressure = NodeWarnings.pressure(observation);
    conditions.add(
        pressure.isEmpty()
            ? Conditions.of(
                TEARDOWN_PRESSURE,
                false,
                REASON_BELOW_LIMITS,
                "TIME_WAIT and orphans below "
                    + NodeWarnings.PRESSURE_PERCENT
                    + "% of their limits",
                generation)
            : Conditions.of(
                TEARDOWN_PRESSURE,
                true,
                pressure.getFirst().kind(),
                pressure.stream()
                    .map(NodeWarnings.Warning::message)
                    .collect(Collectors.joining("; ")),
                generation));
    inInitialNamespace(count.observation())
        .ifPresent(
            initial ->
                conditions.add(
                    Conditions.of(
                        NAMESPACE,
                        initial,
                        initial ? REASON_INITIAL_NAMESPACE : REASON_NOT_INITIAL_NAMESPACE,
                        namespaceMessage(initial),
                        generation)));
    return conditions;
  }

  private static Condition drift(AgentState state, Long generation) {
    if (state.lastDrift().isEmpty()) {
      return Conditions.of(
          DRIFT,
          false,
          REASON_NO_DRIFT,
          "managed values matched the spec at the last check",
          generation);
    }
    AgentState.DriftFight fight = state.fight();
    if (fight.fighting()) {
      return Conditions.of(
          DRIFT,
          true,
          REASON_DRIFT_FIGHT,
          driftText(state.lastDrift())
              + "; changed again at each of the last "
              + fight.streak()
              + " checks: something else on the node (sysctl.d, another tuner) keeps setting it."
              + " The agent writes back less often while this lasts: next check in "
              + fight.backoff().toSeconds()
              + " s (doubling up to "
              + AgentStep.MAX_DRIFT_BACKOFF.toMinutes()
              + " min), at "
              + rfc3339(fight.nextCheck())
              + "; stop the other writer or leave the field to it",
          generation);
    }
    return Conditions.of(
        DRIFT, true, REASON_DRIFT_CORRECTED, driftText(state.lastDrift()), generation);
  }

  private static Condition applied(AgentState state, Long generation) {
    AgentState.Problems problems = state.problems();
    if (problems.any()) {
      String reason = state.applied().isEmpty() ? REASON_NOT_APPLIED : REASON_PARTIALLY_APPLIED;
      return Conditions.of(APPLIED, false, reason, problems.text(), generation);
    }
    if (state.desired().isEmpty()) {
      return Conditions.of(
          APPLIED,
          true,
          REASON_NOTHING_TO_APPLY,
          "no profile sets a value on this node; every value this agent changed is back at its original",
          generation);
    }
    return Conditions.of(
        APPLIED,
        true,
        REASON_APPLIED,
        "applied and read back: " + keyed(state.applied()),
        generation);
  }

  private static String errorReason(AgentState.Problems problems) {
    if (problems.stateFile().isPresent()) {
      return REASON_STATE_FILE_CORRUPT;
    }
    return problems.refused().isEmpty() ? REASON_SYSCTL_FAILED : REASON_SETTINGS_REFUSED;
  }

  private static String driftText(List<DriftCorrection> corrections) {
    return corrections.stream().map(DriftCorrection::describe).collect(Collectors.joining("; "));
  }

  private static Condition reuseIneffective(
      AgentState state, NodeObservation observation, Long generation) {
    TwReuse reuse = state.desired().twReuse();
    boolean reuseAsked = reuse == TwReuse.Enabled || reuse == TwReuse.LoopbackOnly;
    long timestamps = observation.sysctl(ManagedSysctl.TIMESTAMPS).orElse(1L);
    if (reuseAsked && timestamps == 0) {
      return Conditions.of(
          REUSE_INEFFECTIVE,
          true,
          REASON_TIMESTAMPS_OFF,
          "twReuse is "
              + reuse
              + " but this node's net.ipv4.tcp_timestamps is 0: TIME_WAIT ports are only reused with timestamps on "
              + "(on both ends); set timestamps: Enabled in the profile",
          generation);
    }
    return Conditions.of(
        REUSE_INEFFECTIVE,
        false,
        reuseAsked ? REASON_TIMESTAMPS_ON : REASON_REUSE_NOT_REQUESTED,
        reuseAsked
            ? "timestamps are on, reuse can take effect"
            : "the spec does not ask for twReuse",
        generation);
  }
}
