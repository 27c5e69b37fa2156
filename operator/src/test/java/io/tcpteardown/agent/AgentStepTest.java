package io.tcpteardown.agent;

import static io.tcpteardown.api.ManagedSysctl.FIN_TIMEOUT;
import static io.tcpteardown.api.ManagedSysctl.MAX_TW_BUCKETS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.agent.sysctl.DriftResult;
import io.tcpteardown.agent.sysctl.FieldError;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.rules.Violation;
import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent's decisions, without threads, kernel or API server. */
@UnitTest
class AgentStepTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(30);
  private static final TeardownSettings FIN_30 = TeardownSettings.NONE.with(FIN_TIMEOUT, 30);
  private static final AgentStatusComposer COMPOSER =
      new AgentStatusComposer(new AgentInfo("agent-x", "1.0"));

  private static ApplyResult result(
      Map<ManagedSysctl, Long> applied,
      Map<ManagedSysctl, FieldError> errors,
      List<ManagedSysctl> changed,
      List<ManagedSysctl> restored,
      boolean reboot) {
    return new ApplyResult(
        List.of(),
        applied,
        Map.of(FIN_TIMEOUT, 60L),
        errors,
        restored,
        changed,
        reboot,
        Optional.empty());
  }

  private static ApplyResult changedFin() {
    return result(Map.of(FIN_TIMEOUT, 30L), Map.of(), List.of(FIN_TIMEOUT), List.of(), false);
  }

  private static ApplyResult unchangedFin() {
    return result(Map.of(FIN_TIMEOUT, 30L), Map.of(), List.of(), List.of(), false);
  }

  private static AgentState appliedAt(long generation) {
    return AgentStep.applied(AgentState.initial(0), generation, FIN_30, changedFin()).state();
  }

  private static List<String> reasons(AgentStep.Decision decision) {
    return decision.events().stream().map(AgentStep.AgentEvent::reason).toList();
  }

  @Test
  void aFirstApplyThatChangesTheKernelPublishesAndRaisesApplied() {
    AgentStep.Decision d = AgentStep.applied(AgentState.initial(3), 1, FIN_30, changedFin());
    assertThat(d.publish()).isTrue();
    assertThat(d.state().applied()).containsExactly(Map.entry(FIN_TIMEOUT, 30L));
    assertThat(d.state().driftCorrections()).isEqualTo(3);
    assertThat(d.events())
        .containsExactly(
            new AgentStep.AgentEvent(
                EventRecorder.NORMAL,
                NodeConditions.EVENT_APPLIED,
                "applied net.ipv4.tcp_fin_timeout=30"));
  }

  @Test
  void anApplyThatChangedNothingForTheSameGenerationWaitsForTheReport() {
    AgentStep.Decision d = AgentStep.applied(appliedAt(1), 1, FIN_30, unchangedFin());
    assertThat(d.publish()).isFalse();
    assertThat(d.events()).isEmpty();
  }

  @Test
  void aNewGenerationPublishesEvenWhenTheKernelAlreadyMatched() {
    AgentStep.Decision d = AgentStep.applied(appliedAt(1), 2, FIN_30, unchangedFin());
    assertThat(d.publish()).isTrue();
    assertThat(d.state().generation()).isEqualTo(2);
  }

  @Test
  void aNewProblemPublishesAndWarnsOnceButTheSameProblemRetriedDoesNeither() {
    FieldError missing =
        new FieldError(
            MAX_TW_BUCKETS,
            FieldError.Reason.MISSING,
            "net.ipv4.tcp_max_tw_buckets does not exist");
    ApplyResult failing =
        result(
            Map.of(FIN_TIMEOUT, 30L), Map.of(MAX_TW_BUCKETS, missing), List.of(), List.of(), false);
    AgentStep.Decision first = AgentStep.applied(appliedAt(1), 1, FIN_30, failing);
    assertThat(first.publish()).isTrue();
    assertThat(first.events())
        .containsExactly(
            new AgentStep.AgentEvent(
                EventRecorder.WARNING,
                NodeConditions.EVENT_APPLY_FAILED,
                "net.ipv4.tcp_max_tw_buckets does not exist"));
    assertThat(first.state().problems().fields()).containsKey("net.ipv4.tcp_max_tw_buckets");

    AgentStep.Decision retry = AgentStep.applied(first.state(), 1, FIN_30, failing);
    assertThat(retry.publish()).isFalse();
    assertThat(retry.events()).isEmpty();

    AgentStep.Decision healed = AgentStep.applied(retry.state(), 1, FIN_30, unchangedFin());
    assertThat(healed.publish()).isTrue();
    assertThat(healed.state().problems().any()).isFalse();
  }

  @Test
  void refusedSettingsAreProblemsAndTheNextTickAppliesAgain() {
    ApplyResult refused =
        new ApplyResult(
            List.of(
                new Violation(
                    "finTimeoutSeconds",
                    "999",
                    "5..120",
                    "finTimeoutSeconds: 999 is outside 5..120")),
            Map.of(),
            Map.of(),
            Map.of(),
            List.of(),
            List.of(),
            false,
            Optional.empty());
    AgentStep.Decision d = AgentStep.applied(AgentState.initial(0), 1, FIN_30, refused);
    assertThat(d.publish()).isTrue();
    assertThat(reasons(d)).containsExactly(NodeConditions.EVENT_APPLY_FAILED);
    assertThat(AgentStep.tick(d.state(), true, T0)).isEqualTo(AgentStep.Tick.REAPPLY);
    assertThat(AgentStep.tick(null, true, T0)).isEqualTo(AgentStep.Tick.OBSERVE);
    assertThat(AgentStep.tick(d.state(), false, T0)).isEqualTo(AgentStep.Tick.OBSERVE);
  }

  @Test
  void restoresAndRebootsAreReportedAndRaised() {
    ApplyResult restored = result(Map.of(), Map.of(), List.of(), List.of(FIN_TIMEOUT), false);
    AgentStep.Decision d = AgentStep.applied(appliedAt(1), 1, TeardownSettings.NONE, restored);
    assertThat(d.publish()).isTrue();
    assertThat(reasons(d)).containsExactly(NodeConditions.EVENT_RESTORED);

    ApplyResult reboot =
        result(Map.of(FIN_TIMEOUT, 30L), Map.of(), List.of(FIN_TIMEOUT), List.of(), true);
    AgentStep.Decision r = AgentStep.applied(appliedAt(1), 1, FIN_30, reboot);
    assertThat(reasons(r)).containsExactly(NodeConditions.EVENT_REAPPLIED_AFTER_REBOOT);
    assertThat(r.publish()).isTrue();
  }

  @Test
  void driftIsWrittenBackPublishedAndWarnedAboutThenClearedOnce() {
    AgentState state = appliedAt(1);
    assertThat(AgentStep.tick(state, true, T0)).isEqualTo(AgentStep.Tick.CHECK_DRIFT);
    DriftResult found =
        new DriftResult(List.of(new DriftCorrection(FIN_TIMEOUT, 30, 59)), Map.of());
    AgentStep.Decision drift = AgentStep.drifted(state, found, T0, INTERVAL);
    assertThat(drift.publish()).isTrue();
    assertThat(drift.reapply()).isFalse();
    assertThat(drift.state().driftCorrections()).isEqualTo(1);
    assertThat(drift.state().lastDrift()).hasSize(1);
    assertThat(drift.events())
        .containsExactly(
            new AgentStep.AgentEvent(
                EventRecorder.WARNING,
                NodeConditions.EVENT_DRIFT_CORRECTED,
                "changed outside the operator: net.ipv4.tcp_fin_timeout was 59, written back to 30"));
    // One drift is not a fight: the next check comes at the normal pace.
    assertThat(drift.state().fight().fighting()).isFalse();
    assertThat(AgentStep.tick(drift.state(), true, T0.plusSeconds(30)))
        .isEqualTo(AgentStep.Tick.CHECK_DRIFT);

    DriftResult clean = new DriftResult(List.of(), Map.of());
    AgentStep.Decision cleared =
        AgentStep.drifted(drift.state(), clean, T0.plusSeconds(30), INTERVAL);
    assertThat(cleared.publish()).isTrue();
    assertThat(cleared.events()).isEmpty();
    AgentStep.Decision quiet =
        AgentStep.drifted(cleared.state(), clean, T0.plusSeconds(60), INTERVAL);
    assertThat(quiet.publish()).isFalse();
    assertThat(quiet.state()).isEqualTo(cleared.state());
  }

  @Test
  void aFieldThatFailsTheDriftCheckLeavesAppliedAndIsAppliedAgain() {
    FieldError gone = new FieldError(FIN_TIMEOUT, FieldError.Reason.IO, "read failed");
    AgentStep.Decision d =
        AgentStep.drifted(
            appliedAt(1), new DriftResult(List.of(), Map.of(FIN_TIMEOUT, gone)), T0, INTERVAL);
    assertThat(d.reapply()).isTrue();
    assertThat(d.publish()).isTrue();
    assertThat(d.state().applied()).isEmpty();
  }

  @Test
  void aDriftFightBacksOffExponentiallyToTheCeilingAndSaysSoInTheDriftCondition() {
    AgentState state = appliedAt(1);
    DriftResult found =
        new DriftResult(List.of(new DriftCorrection(FIN_TIMEOUT, 30, 59)), Map.of());
    Instant now = T0;
    List<Long> waits = new java.util.ArrayList<>();
    int checks = 0;
    for (int i = 0; i < 8; i++) {
      assertThat(AgentStep.tick(state, true, now)).isEqualTo(AgentStep.Tick.CHECK_DRIFT);
      state = AgentStep.drifted(state, found, now, INTERVAL).state();
      checks++;
      Instant due =
          state.fight().nextCheck() == null ? now.plus(INTERVAL) : state.fight().nextCheck();
      waits.add(Duration.between(now, due).toSeconds());
      // Ticks every interval until the check is due again.
      Instant tick = now.plus(INTERVAL);
      while (tick.isBefore(due)) {
        assertThat(AgentStep.tick(state, true, tick)).isEqualTo(AgentStep.Tick.BACK_OFF);
        tick = tick.plus(INTERVAL);
      }
      now = tick;
    }
    assertThat(waits).containsExactly(30L, 60L, 120L, 240L, 480L, 600L, 600L, 600L);
    assertThat(state.driftCorrections()).isEqualTo(checks);

    TcpTeardownNodeStatus status =
        COMPOSER.compose(
            state,
            LatestCount.of(
                new NodeObservation(Map.of(), StateCounts.ZERO, KernelCounters.ZERO, "netlink"),
                now),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            now);
    var drift = Conditions.find(status.conditions(), NodeConditions.DRIFT).orElseThrow();
    assertThat(drift.getStatus()).isEqualTo(Conditions.TRUE);
    assertThat(drift.getReason()).isEqualTo(NodeConditions.REASON_DRIFT_FIGHT);
    assertThat(drift.getMessage())
        .contains(
            "net.ipv4.tcp_fin_timeout was 59, written back to 30",
            "last 8 checks",
            "next check in 600 s");

    // A check that finds nothing ends the fight.
    AgentStep.Decision calm =
        AgentStep.drifted(state, new DriftResult(List.of(), Map.of()), now, INTERVAL);
    assertThat(calm.state().fight()).isEqualTo(AgentState.DriftFight.NONE);
    assertThat(AgentStep.tick(calm.state(), true, now)).isEqualTo(AgentStep.Tick.CHECK_DRIFT);
  }

  @Test
  void aNewGenerationEndsTheFightAndItsDrift() {
    AgentState state = appliedAt(1);
    DriftResult found =
        new DriftResult(List.of(new DriftCorrection(FIN_TIMEOUT, 30, 59)), Map.of());
    state = AgentStep.drifted(state, found, T0, INTERVAL).state();
    state = AgentStep.drifted(state, found, T0.plusSeconds(30), INTERVAL).state();
    assertThat(state.fight().fighting()).isTrue();
    AgentStep.Decision next = AgentStep.applied(state, 2, FIN_30, unchangedFin());
    assertThat(next.state().fight()).isEqualTo(AgentState.DriftFight.NONE);
    assertThat(next.state().lastDrift()).isEmpty();
    assertThat(AgentStep.tick(next.state(), true, T0.plusSeconds(31)))
        .isEqualTo(AgentStep.Tick.CHECK_DRIFT);
  }

  @Test
  void theStartStateTakesOnlyASaneDriftCountFromTheStatusItFinds() {
    assertThat(AgentStep.initial(null).driftCorrections()).isZero();
    TcpTeardownNodeStatus hostile =
        new TcpTeardownNodeStatus(null, null, null, null, null, -5L, null, null, null);
    assertThat(AgentStep.initial(hostile).driftCorrections()).isZero();
    TcpTeardownNodeStatus carried =
        new TcpTeardownNodeStatus(null, null, null, null, null, 7L, null, null, null);
    assertThat(AgentStep.initial(carried).driftCorrections()).isEqualTo(7);
  }
}
