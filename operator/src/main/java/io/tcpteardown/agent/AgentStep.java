package io.tcpteardown.agent;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.agent.sysctl.DriftFight;
import io.tcpteardown.agent.sysctl.DriftResult;
import io.tcpteardown.agent.sysctl.FieldError;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.rules.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The agent's decisions, as pure functions of what it knew, what the kernel answered and the time:
 * the next state, whether to publish the status now, which Events to raise, whether to apply the
 * spec again. {@link NodeAgent} only does the I/O these name and schedules the steps.
 */
public final class AgentStep {
  /** The longest a drift fight stretches the time between drift checks. */
  public static final Duration MAX_DRIFT_BACKOFF = DriftFight.MAX_BACKOFF;

  private AgentStep() {}

  /** An Event to raise on the node's TcpTeardownNode. */
  public record AgentEvent(String type, String reason, String message) {}

  /**
   * What to do after a step.
   *
   * @param publish write the status now (otherwise it waits for the next report)
   * @param reapply apply the spec again (a field failed, or nothing was written)
   */
  public record Decision(
      AgentState state, boolean publish, List<AgentEvent> events, boolean reapply) {
    public Decision {
      events = List.copyOf(events);
    }
  }

  /** What a drift-check tick should do. */
  public enum Tick {
    /** Nothing applied yet, or no TcpTeardownNode: only look at the kernel. */
    OBSERVE,
    /** Nothing was written last time (refused spec, state-file problem): apply again. */
    REAPPLY,
    /** Re-read the managed values and write back what drifted. */
    CHECK_DRIFT,
    /** A drift fight is backing off: leave the kernel alone until the next check is due. */
    BACK_OFF
  }

  /** The agent's state before its first apply, carrying what its last status counted. */
  public static AgentState initial(TcpTeardownNodeStatus reported) {
    Long carried = reported == null ? null : reported.driftCorrections();
    return AgentState.initial(carried == null || carried < 0 ? 0 : carried);
  }

  /** After applying generation {@code generation}'s settings {@code desired}. */
  public static Decision applied(
      AgentState previous, long generation, TeardownSettings desired, ApplyResult result) {
    AgentState.Problems problems = problems(result);
    boolean sameGeneration = previous.generation() == generation;
    AgentState state =
        new AgentState(
            generation,
            desired,
            result.applied(),
            result.originals(),
            problems,
            sameGeneration ? previous.lastDrift() : List.of(),
            previous.driftCorrections(),
            sameGeneration ? previous.fight() : DriftFight.NONE);
    boolean problemsChanged = !problems.text().equals(previous.problems().text());
    List<AgentEvent> events =
        applyEvents(result, problemsChanged ? problems : AgentState.Problems.NONE);
    // A retry that changed nothing (the same error again) waits for the next report instead.
    boolean publish =
        problemsChanged
            || !sameGeneration
            || !previous.applied().equals(state.applied())
            || !result.changed().isEmpty()
            || !result.restored().isEmpty();
    return new Decision(state, publish, events, false);
  }

  /** What a drift-check tick at {@code now} should do. */
  public static Tick tick(AgentState state, boolean haveNode, Instant now) {
    if (state == null || !haveNode) {
      return Tick.OBSERVE;
    }
    if (state.problems().stateFile().isPresent() || !state.problems().refused().isEmpty()) {
      // Nothing was written: start again (a state file someone repaired), at the drift-check pace.
      return Tick.REAPPLY;
    }
    return state.fight().backingOff(now) ? Tick.BACK_OFF : Tick.CHECK_DRIFT;
  }

  /**
   * After a drift check at {@code now}. Drift found at consecutive checks is a fight with another
   * tuner, backed off as {@link DriftFight} says (the same policy as every pod's).
   */
  public static Decision drifted(
      AgentState state, DriftResult drift, Instant now, Duration interval) {
    Map<ManagedSysctl, Long> applied = drift.appliedAfter(state.applied());
    DriftFight fight = state.fight().after(!drift.corrected().isEmpty(), now, interval);
    boolean changed =
        !drift.corrected().isEmpty()
            || !state.lastDrift().isEmpty()
            || !applied.equals(state.applied());
    AgentState next =
        new AgentState(
            state.generation(),
            state.desired(),
            applied,
            state.originals(),
            state.problems(),
            drift.corrected(),
            state.driftCorrections() + drift.corrected().size(),
            fight);
    List<AgentEvent> events = new ArrayList<>();
    if (!drift.corrected().isEmpty()) {
      // The same message again (the other tuner writes the same value) becomes one Event with a
      // count: the recorder deduplicates it.
      events.add(
          new AgentEvent(
              EventRecorder.WARNING,
              NodeConditions.EVENT_DRIFT_CORRECTED,
              DriftCorrection.eventMessage(drift.corrected())));
    }
    // A field failed: apply again, which reports it per field and retries what was transient.
    boolean reapply = !drift.errors().isEmpty() || state.problems().any();
    return new Decision(next, changed, events, reapply);
  }

  static AgentState.Problems problems(ApplyResult result) {
    Map<String, String> fields =
        result.errors().values().stream()
            .collect(Collectors.toMap(e -> e.sysctl().key(), FieldError::message));
    List<String> refused = result.rejected().stream().map(Violation::message).toList();
    return new AgentState.Problems(refused, result.stateFileProblem(), fields);
  }

  private static List<AgentEvent> applyEvents(ApplyResult result, AgentState.Problems problems) {
    List<AgentEvent> events = new ArrayList<>();
    if (result.reappliedAfterReboot()) {
      events.add(
          new AgentEvent(
              EventRecorder.NORMAL,
              NodeConditions.EVENT_REAPPLIED_AFTER_REBOOT,
              "the node rebooted; re-applied " + AgentStatusComposer.keyed(result.applied())));
    } else if (!result.changed().isEmpty()) {
      events.add(
          new AgentEvent(
              EventRecorder.NORMAL,
              NodeConditions.EVENT_APPLIED,
              "applied "
                  + result.changed().stream()
                      .map(s -> s.key() + "=" + result.applied().get(s))
                      .collect(Collectors.joining(", "))));
    }
    if (!result.restored().isEmpty()) {
      events.add(
          new AgentEvent(
              EventRecorder.NORMAL,
              NodeConditions.EVENT_RESTORED,
              "restored original values: "
                  + result.restored().stream()
                      .map(ManagedSysctl::key)
                      .collect(Collectors.joining(", "))));
    }
    if (problems.any()) {
      events.add(
          new AgentEvent(
              EventRecorder.WARNING, NodeConditions.EVENT_APPLY_FAILED, problems.text()));
    }
    return events;
  }
}
