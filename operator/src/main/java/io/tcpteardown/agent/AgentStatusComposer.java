package io.tcpteardown.agent;

import static io.tcpteardown.api.NodeConditions.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.agent.pods.PodRulesStatus;
import io.tcpteardown.agent.pods.PodSweepLoop;
import io.tcpteardown.agent.pods.SweptPods;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.rules.HealthSummary;
import io.tcpteardown.rules.PressureRule;
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
  /** Entries of status.pods at most (a kubelet runs 110 pods by default). */
  public static final int MAX_POD_ENTRIES = TcpTeardownNodeStatus.MAX_PODS;

  /** Bytes of JSON of status.pods at most. */
  public static final int MAX_POD_BYTES = 128 * 1024;

  /** Characters of status.countError at most. */
  public static final int MAX_COUNT_ERROR = TcpTeardownNodeStatus.MAX_COUNT_ERROR;

  private static final int MIN_SUMMARY = 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AgentInfo agent;

  public AgentStatusComposer(AgentInfo agent) {
    this.agent = agent;
  }

  /**
   * The status to publish at {@code now}. {@code previous} are the conditions last published (or
   * read from the API server at start: anything it admitted). With the latest pod sweep, {@code
   * states} becomes the whole node (the node's namespace and every pod's, orphans node-wide) and
   * {@code hostStates} the node's namespace alone; with the latest tuning pass, per-pod results go
   * into {@code pods} (every pod with an error listed, whatever the limit), {@code podConflicts}
   * and {@code podRules}.
   */
  public TcpTeardownNodeStatus compose(
      AgentState state,
      LatestCount count,
      Optional<PodSweepLoop.Result> pods,
      Optional<PodRulesStatus> tuning,
      List<Condition> previous,
      Instant now) {
    NodeObservation observation = count.observation() == null ? UNCOUNTED : count.observation();
    List<Condition> next = conditions(state, count, observation);
    pods.ifPresent(p -> addPodConditions(next, p.summary(), state.generation()));
    pods.flatMap(PodSweepLoop.Result::ehashAdvice)
        .ifPresent(
            advice ->
                next.add(
                    Conditions.of(
                        POD_HASH_TABLES,
                        true,
                        REASON_SHARED_TABLE_COSTLY,
                        SafeText.of(advice, Conditions.MAX_MESSAGE),
                        state.generation())));
    next.addAll(HealthSummary.forNode(next, state.generation()));
    List<Condition> conditions = Conditions.carryTransitionTimes(previous, next, now);
    StateCounts host = count.observation() == null ? null : observation.states();
    StateCounts whole = host;
    if (host != null && pods.isPresent()) {
      StateCounts inPods = pods.get().summary().states();
      // Orphans stay sockstat's node-wide count, which already includes the pods'.
      whole = host.plus(inPods).withOrphans(host.orphans());
    }
    SweptPods summary = pods.map(PodSweepLoop.Result::summary).orElse(null);
    List<PodTeardownEntry> all = podEntries(summary, tuning);
    List<PodTeardownEntry> entries = all == null ? null : bounded(all);
    boolean cut = entries != null && entries.size() < all.size();
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
        SafeText.of(count.describeFailure(now), MAX_COUNT_ERROR),
        pods.isPresent() ? host : null,
        entries,
        summary == null ? null : summary.podNamespaces(),
        summary == null || !(summary.truncated() || cut) ? null : Boolean.TRUE,
        pods.map(p -> rfc3339(p.countedAt())).orElse(null),
        tuning.map(PodRulesStatus::conflicts).filter(c -> !c.isEmpty()).orElse(null),
        tuning.map(PodRulesStatus::rules).filter(r -> !r.isEmpty()).orElse(null),
        null,
        null);
  }

  private static List<PodTeardownEntry> podEntries(
      SweptPods summary, Optional<PodRulesStatus> tuning) {
    List<PodTeardownEntry> swept = summary == null ? List.of() : summary.entries();
    List<PodTeardownEntry> merged = tuning.map(t -> t.merge(swept)).orElse(swept);
    return summary == null && merged.isEmpty() ? null : merged;
  }

  /**
   * Pods under pressure join TeardownPressure (naming the pod); a suspected CLOSE_WAIT leak sets
   * CloseWaitLeak, naming pod, process and count.
   */
  private static void addPodConditions(
      List<Condition> conditions, SweptPods summary, Long generation) {
    if (!summary.pressure().isEmpty()) {
      for (int i = 0; i < conditions.size(); i++) {
        Condition pressure = conditions.get(i);
        if (TEARDOWN_PRESSURE.equals(pressure.getType())) {
          boolean nodeToo = Conditions.TRUE.equals(pressure.getStatus());
          String message =
              summarizeMessages(nodeToo ? pressure.getMessage() + "; " : "", summary.pressure());
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
                summarizeMessages("", summary.leaks()),
                generation));
  }

  /**
   * At most five messages, as many as fit beside {@code prefix} in a condition message, and how
   * many more (exact).
   */
  private static String summarizeMessages(String prefix, List<String> messages) {
    int room = Math.max(MIN_SUMMARY, Conditions.MAX_MESSAGE - prefix.length());
    return prefix + SafeText.joinWithin(messages, "; ", 5, room, " pods");
  }

  /**
   * status.pods as written: at most {@value #MAX_POD_ENTRIES} entries in the order given (problems
   * first) and at most {@value #MAX_POD_BYTES} bytes of JSON in all; those left out are counted in
   * podNamespaces and flagged by podsTruncated.
   */
  static List<PodTeardownEntry> bounded(List<PodTeardownEntry> entries) {
    List<PodTeardownEntry> kept = new ArrayList<>();
    long bytes = 0;
    for (PodTeardownEntry entry : entries) {
      if (kept.size() == MAX_POD_ENTRIES) {
        break;
      }
      bytes += jsonBytes(entry) + 1;
      if (bytes > MAX_POD_BYTES) {
        break;
      }
      kept.add(entry);
    }
    return kept;
  }

  private static long jsonBytes(Object value) {
    try {
      return JSON.writeValueAsBytes(value).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a status entry could not be serialized", e);
    }
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
                "TIME_WAIT and orphans below " + PressureRule.PERCENT + "% of their limits",
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
                        HOST_NETWORK,
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
    io.tcpteardown.agent.sysctl.DriftFight fight = state.fight();
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
    Long childEhash = state.applied().get(ManagedSysctl.CHILD_EHASH_ENTRIES);
    return Conditions.of(
        APPLIED,
        true,
        REASON_APPLIED,
        "applied and read back: "
            + keyed(state.applied())
            + (childEhash == null || childEhash == 0
                ? ""
                : "; childEhashEntries gives its own TCP hash table only to pods created from now"
                    + " on: existing pods keep the shared table until they are recreated"),
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
