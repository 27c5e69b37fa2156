package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.agent.sysctl.DriftFight;
import io.tcpteardown.agent.sysctl.DriftResult;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the agent last did in one pod's network namespace, and the decisions that follow, as pure
 * functions: the node's ({@code AgentStep}) for one pod. A pod whose settings were applied cleanly
 * is then drift-checked, and a drift fight backs off by the node's {@link DriftFight} policy.
 *
 * @param desired the settings last applied
 * @param applied values read back, for the fields that took effect
 * @param clean the last apply or check left nothing to retry (no refusal, no field error)
 * @param fight drift found at consecutive checks, and when the next check is due
 * @param corrections every value written back in this pod so far (since the agent started)
 * @param lastDrift what the latest check that found drift wrote back
 * @param lastDriftAt when that was; null before any
 */
public record PodTuningState(
    TeardownSettings desired,
    Map<ManagedSysctl, Long> applied,
    boolean clean,
    DriftFight fight,
    long corrections,
    List<DriftCorrection> lastDrift,
    Instant lastDriftAt) {

  public PodTuningState {
    applied = Map.copyOf(applied);
    lastDrift = List.copyOf(lastDrift);
  }

  /** What a pass should do in a pod's namespace. */
  public enum Next {
    /** New settings, a first pass, or something to retry: apply (records originals, restores). */
    APPLY,
    /** Re-read the applied values and write back what drifted. */
    CHECK_DRIFT,
    /** A drift fight is backing off: leave the namespace alone until the next check is due. */
    BACK_OFF
  }

  /** What a pass at {@code now} should do, given the pod's previous state (null: none). */
  public static Next next(PodTuningState previous, TeardownSettings desired, Instant now) {
    if (previous == null || !previous.clean() || !previous.desired().equals(desired)) {
      return Next.APPLY;
    }
    return previous.fight().backingOff(now) ? Next.BACK_OFF : Next.CHECK_DRIFT;
  }

  /** After applying {@code desired}; new settings end a drift fight, as a new generation does. */
  public static PodTuningState applied(
      PodTuningState previous, TeardownSettings desired, ApplyResult result) {
    boolean clean =
        result.rejected().isEmpty()
            && result.errors().isEmpty()
            && result.stateFileProblem().isEmpty();
    if (previous == null) {
      return new PodTuningState(
          desired, result.applied(), clean, DriftFight.NONE, 0, List.of(), null);
    }
    boolean same = previous.desired().equals(desired);
    return new PodTuningState(
        desired,
        result.applied(),
        clean,
        same ? previous.fight() : DriftFight.NONE,
        previous.corrections(),
        previous.lastDrift(),
        previous.lastDriftAt());
  }

  /** After a drift check at {@code now}, drift checks being {@code interval} apart. */
  public PodTuningState checked(DriftResult drift, Instant now, Duration interval) {
    boolean found = !drift.corrected().isEmpty();
    return new PodTuningState(
        desired,
        drift.appliedAfter(applied),
        drift.errors().isEmpty(),
        fight.after(found, now, interval),
        corrections + drift.corrected().size(),
        found ? drift.corrected() : lastDrift,
        found ? now : lastDriftAt);
  }
}
