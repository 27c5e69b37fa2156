package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.pods.PodTuningState.Next;
import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.agent.sysctl.DriftFight;
import io.tcpteardown.agent.sysctl.DriftResult;
import io.tcpteardown.agent.sysctl.FieldError;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.PodDriftEntry;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A pod's tuning decisions: the node's drift policy, per pod. */
@UnitTest
class PodTuningStateTest {
  private static final TeardownSettings FIN_25 =
      new TeardownSettings(null, 25, null, null, null, null);
  private static final TeardownSettings FIN_30 =
      new TeardownSettings(null, 30, null, null, null, null);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(30);
  private static final DriftResult FOUND =
      new DriftResult(List.of(new DriftCorrection(ManagedSysctl.FIN_TIMEOUT, 25, 60)), Map.of());
  private static final DriftResult NOTHING = new DriftResult(List.of(), Map.of());

  private static ApplyResult applied(Map<ManagedSysctl, Long> values) {
    return new ApplyResult(
        List.of(), values, Map.of(), Map.of(), List.of(), List.of(), false, Optional.empty());
  }

  private static PodTuningState cleanlyApplied() {
    return PodTuningState.applied(null, FIN_25, applied(Map.of(ManagedSysctl.FIN_TIMEOUT, 25L)));
  }

  @Test
  void aPodIsAppliedFirstThenDriftCheckedWhileItsSettingsStayTheSame() {
    assertThat(PodTuningState.next(null, FIN_25, T0)).isEqualTo(Next.APPLY);
    PodTuningState state = cleanlyApplied();
    assertThat(state.clean()).isTrue();
    assertThat(PodTuningState.next(state, FIN_25, T0)).isEqualTo(Next.CHECK_DRIFT);
    assertThat(PodTuningState.next(state, FIN_30, T0)).isEqualTo(Next.APPLY);
  }

  @Test
  void anApplyWithAFieldErrorIsAppliedAgainNotDriftChecked() {
    ApplyResult failed =
        new ApplyResult(
            List.of(),
            Map.of(),
            Map.of(),
            Map.of(
                ManagedSysctl.FIN_TIMEOUT,
                new FieldError(ManagedSysctl.FIN_TIMEOUT, FieldError.Reason.IO, "no")),
            List.of(),
            List.of(),
            false,
            Optional.empty());
    PodTuningState state = PodTuningState.applied(null, FIN_25, failed);
    assertThat(state.clean()).isFalse();
    assertThat(PodTuningState.next(state, FIN_25, T0)).isEqualTo(Next.APPLY);
  }

  @Test
  void driftAtConsecutiveChecksBacksOffAsTheNodesDoesAndACleanCheckEndsIt() {
    PodTuningState first = cleanlyApplied().checked(FOUND, T0, INTERVAL);
    assertThat(first.fight().streak()).isEqualTo(1);
    assertThat(PodTuningState.next(first, FIN_25, T0.plusSeconds(1))).isEqualTo(Next.CHECK_DRIFT);

    Instant t1 = T0.plus(INTERVAL);
    PodTuningState second = first.checked(FOUND, t1, INTERVAL);
    assertThat(second.fight())
        .isEqualTo(
            new DriftFight(0, null, Duration.ZERO)
                .after(true, T0, INTERVAL)
                .after(true, t1, INTERVAL));
    assertThat(second.fight().nextCheck()).isEqualTo(t1.plus(Duration.ofSeconds(60)));
    assertThat(PodTuningState.next(second, FIN_25, t1.plusSeconds(59))).isEqualTo(Next.BACK_OFF);
    assertThat(PodTuningState.next(second, FIN_25, t1.plusSeconds(60))).isEqualTo(Next.CHECK_DRIFT);
    // New settings are applied at once, backoff or not, and end the fight.
    assertThat(PodTuningState.next(second, FIN_30, t1.plusSeconds(1))).isEqualTo(Next.APPLY);
    assertThat(PodTuningState.applied(second, FIN_30, applied(Map.of())).fight())
        .isEqualTo(DriftFight.NONE);

    Instant t2 = t1.plusSeconds(60);
    PodTuningState third = second.checked(FOUND, t2, INTERVAL);
    assertThat(third.fight().backoff()).isEqualTo(Duration.ofSeconds(120));
    assertThat(third.corrections()).isEqualTo(3);
    assertThat(third.lastDriftAt()).isEqualTo(t2);

    PodTuningState calm = third.checked(NOTHING, t2.plusSeconds(120), INTERVAL);
    assertThat(calm.fight()).isEqualTo(DriftFight.NONE);
    assertThat(calm.corrections()).isEqualTo(3);
    assertThat(calm.lastDrift()).isEqualTo(FOUND.corrected());
    assertThat(calm.lastDriftAt()).isEqualTo(t2);
  }

  @Test
  void theBackoffStopsAtTenMinutes() {
    PodTuningState state = cleanlyApplied();
    Instant now = T0;
    for (int i = 0; i < 12; i++) {
      state = state.checked(FOUND, now, INTERVAL);
      now = now.plus(INTERVAL.multipliedBy(100));
    }
    assertThat(state.fight().backoff()).isEqualTo(DriftFight.MAX_BACKOFF);
  }

  @Test
  void aFieldTheDriftCheckCouldNotWriteIsNoLongerAppliedAndIsAppliedAgain() {
    DriftResult failed =
        new DriftResult(
            List.of(),
            Map.of(
                ManagedSysctl.FIN_TIMEOUT,
                new FieldError(ManagedSysctl.FIN_TIMEOUT, FieldError.Reason.IO, "gone")));
    PodTuningState state = cleanlyApplied().checked(failed, T0, INTERVAL);
    assertThat(state.applied()).isEmpty();
    assertThat(PodTuningState.next(state, FIN_25, T0)).isEqualTo(Next.APPLY);
  }

  @Test
  void theStatusEntrySaysWhatWasWrittenBackHowOftenWhenAndUntilWhenTheAgentWaits() {
    assertThat(PodRulesStatus.driftEntry(cleanlyApplied())).isEmpty();
    PodTuningState fighting =
        cleanlyApplied()
            .checked(FOUND, T0, INTERVAL)
            .checked(FOUND, T0.plusMillis(30_400), INTERVAL);
    assertThat(PodRulesStatus.driftEntry(fighting))
        .contains(
            new PodDriftEntry(
                List.of("net.ipv4.tcp_fin_timeout"),
                2L,
                "2026-01-01T00:00:30Z",
                "2026-01-01T00:01:30Z"));
    assertThat(
            PodRulesStatus.driftEntry(fighting.checked(NOTHING, T0.plusSeconds(91), INTERVAL))
                .orElseThrow()
                .backOffUntil())
        .isNull();
  }
}
