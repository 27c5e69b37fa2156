package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@UnitTest
class AgentStatusComposerTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final AgentStatusComposer COMPOSER =
      new AgentStatusComposer(new AgentInfo("agent-x", "1.0"));
  private static final TeardownSettings FIN_30 =
      TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 30);
  private static final NodeObservation CALM =
      new NodeObservation(
          Map.of(
              ManagedSysctl.FIN_TIMEOUT,
              30L,
              ManagedSysctl.TIMESTAMPS,
              1L,
              ManagedSysctl.MAX_TW_BUCKETS,
              1000L),
          new StateCounts(1, 2, 3, 4, 5, 6, 7),
          new KernelCounters(8, 9),
          "netlink");

  private static AgentState applied(AgentState.Problems problems, List<DriftCorrection> drift) {
    return new AgentState(
        4,
        FIN_30,
        Map.of(ManagedSysctl.FIN_TIMEOUT, 30L),
        Map.of(ManagedSysctl.FIN_TIMEOUT, 60L),
        problems,
        drift,
        2);
  }

  private static Condition condition(TcpTeardownNodeStatus status, String type) {
    return Conditions.find(status.conditions(), type).orElseThrow();
  }

  @Test
  void aCleanApplyReportsValuesOriginalsCountsAndTrueApplied() {
    TcpTeardownNodeStatus status =
        COMPOSER.compose(
            applied(AgentState.Problems.NONE, List.of()),
            LatestCount.of(CALM, T0),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(status.observedGeneration()).isEqualTo(4);
    assertThat(status.applied()).containsExactly(Map.entry("net.ipv4.tcp_fin_timeout", "30"));
    assertThat(status.original()).containsExactly(Map.entry("net.ipv4.tcp_fin_timeout", "60"));
    assertThat(status.states()).isEqualTo(CALM.states());
    assertThat(status.counters()).isEqualTo(CALM.counters());
    assertThat(status.driftCorrections()).isEqualTo(2);
    assertThat(status.agent()).isEqualTo(new AgentInfo("agent-x", "1.0"));
    assertThat(status.lastReportTime()).isEqualTo("2026-11-24T10:00:00Z");
    assertThat(condition(status, "Applied").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Error").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Drift").getStatus()).isEqualTo("False");
    assertThat(condition(status, "TeardownPressure").getStatus()).isEqualTo("False");
    assertThat(status.conditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(4));
  }

  @Test
  void problemsMakeAppliedFalseAndErrorTrueWithTheirMessages() {
    var refused =
        new AgentState.Problems(
            List.of("finTimeoutSeconds: 999 is outside 5..120"), Optional.empty(), Map.of());
    TcpTeardownNodeStatus status =
        COMPOSER.compose(
            new AgentState(4, FIN_30, Map.of(), Map.of(), refused, List.of(), 0),
            LatestCount.of(CALM, T0),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(condition(status, "Applied").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Applied").getReason()).isEqualTo("NotApplied");
    assertThat(condition(status, "Error").getReason()).isEqualTo("SettingsRefused");
    assertThat(condition(status, "Error").getMessage()).contains("999");

    var corrupt =
        new AgentState.Problems(
            List.of(), Optional.of("/var/lib/tcp-teardown/state.json is corrupt"), Map.of());
    assertThat(
            condition(
                    COMPOSER.compose(
                        applied(corrupt, List.of()),
                        LatestCount.of(CALM, T0),
                        Optional.empty(),
                        Optional.empty(),
                        List.of(),
                        T0),
                    "Error")
                .getReason())
        .isEqualTo("StateFileCorrupt");

    var field =
        new AgentState.Problems(
            List.of(),
            Optional.empty(),
            Map.of("net.ipv4.tcp_max_orphans", "net.ipv4.tcp_max_orphans does not exist"));
    TcpTeardownNodeStatus partial =
        COMPOSER.compose(
            applied(field, List.of()),
            LatestCount.of(CALM, T0),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(condition(partial, "Applied").getReason()).isEqualTo("PartiallyApplied");
    assertThat(condition(partial, "Error").getReason()).isEqualTo("SysctlFailed");
  }

  @Test
  void driftIsReportedWithWhatWasFoundAndWrittenBack() {
    TcpTeardownNodeStatus status =
        COMPOSER.compose(
            applied(
                AgentState.Problems.NONE,
                List.of(new DriftCorrection(ManagedSysctl.FIN_TIMEOUT, 30, 59))),
            LatestCount.of(CALM, T0),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(condition(status, "Drift").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Drift").getMessage())
        .isEqualTo("net.ipv4.tcp_fin_timeout was 59, written back to 30");
  }

  @Test
  void warnsWhenReuseIsAskedForButTimestampsAreOffAndWhenTimeWaitNearsItsLimit() {
    TeardownSettings reuse = TeardownSettings.NONE.with(ManagedSysctl.TW_REUSE, TwReuse.Enabled);
    NodeObservation troubled =
        new NodeObservation(
            Map.of(
                ManagedSysctl.TW_REUSE,
                1L,
                ManagedSysctl.TIMESTAMPS,
                0L,
                ManagedSysctl.MAX_TW_BUCKETS,
                1000L),
            new StateCounts(0, 0, 950, 0, 0, 0, 0),
            KernelCounters.ZERO,
            "netlink");
    TcpTeardownNodeStatus status =
        COMPOSER.compose(
            new AgentState(
                1,
                reuse,
                Map.of(ManagedSysctl.TW_REUSE, 1L),
                Map.of(),
                AgentState.Problems.NONE,
                List.of(),
                0),
            LatestCount.of(troubled, T0),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(condition(status, "ReuseIneffective").getStatus()).isEqualTo("True");
    assertThat(condition(status, "ReuseIneffective").getMessage()).contains("tcp_timestamps is 0");
    assertThat(condition(status, "TeardownPressure").getStatus()).isEqualTo("True");
    assertThat(condition(status, "TeardownPressure").getMessage())
        .contains("950", "tcp_max_tw_buckets (1000)");
  }

  @Test
  void transitionTimesAreKeptWhileAConditionKeepsItsStatus() {
    AgentState state = applied(AgentState.Problems.NONE, List.of());
    TcpTeardownNodeStatus first =
        COMPOSER.compose(
            state, LatestCount.of(CALM, T0), Optional.empty(), Optional.empty(), List.of(), T0);
    TcpTeardownNodeStatus later =
        COMPOSER.compose(
            state,
            LatestCount.of(CALM, T0.plusSeconds(600)),
            Optional.empty(),
            Optional.empty(),
            first.conditions(),
            T0.plusSeconds(600));
    assertThat(condition(later, "Applied").getLastTransitionTime())
        .isEqualTo("2026-11-24T10:00:00Z");
    assertThat(later.lastReportTime()).isEqualTo("2026-11-24T10:10:00Z");
  }

  @Test
  void aFailedCountKeepsTheLastNumbersButSaysTheyAreStaleAndHowOld() {
    AgentState state = applied(AgentState.Problems.NONE, List.of());
    LatestCount stale = LatestCount.of(CALM, T0).failed("recv on the sock_diag socket failed");
    TcpTeardownNodeStatus status =
        COMPOSER.compose(
            state, stale, Optional.empty(), Optional.empty(), List.of(), T0.plusSeconds(125));
    assertThat(status.lastReportTime()).isEqualTo("2026-11-24T10:02:05Z");
    assertThat(status.countTime()).isEqualTo("2026-11-24T10:00:00Z");
    assertThat(status.states()).isEqualTo(CALM.states());
    assertThat(status.countError())
        .contains(
            "recv on the sock_diag socket failed", "stale", "2026-11-24T10:00:00Z", "125 s old");

    TcpTeardownNodeStatus fresh =
        COMPOSER.compose(
            state,
            LatestCount.of(CALM, T0.plusSeconds(130)),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            T0.plusSeconds(130));
    assertThat(fresh.countError()).isNull();
    assertThat(fresh.countTime()).isEqualTo(fresh.lastReportTime());
  }

  @Test
  void aNodeNeverCountedReportsNoNumbersRatherThanZeros() {
    AgentState state = applied(AgentState.Problems.NONE, List.of());
    TcpTeardownNodeStatus status =
        COMPOSER.compose(
            state,
            LatestCount.NONE.failed("no /proc/net/tcp"),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(status.states()).isNull();
    assertThat(status.counters()).isNull();
    assertThat(status.countTime()).isNull();
    assertThat(status.countError()).contains("no /proc/net/tcp", "no count has succeeded yet");
    assertThat(status.applied()).containsEntry("net.ipv4.tcp_fin_timeout", "30");
    assertThat(Conditions.find(status.conditions(), "HostNetwork")).isEmpty();
  }

  @Test
  void hostNetworkSaysWhetherTheAgentRunsInTheNodesInitialNamespace() {
    AgentState state = applied(AgentState.Problems.NONE, List.of());
    // CALM has no tcp_max_orphans: a network namespace other than the initial one.
    Condition outside =
        condition(
            COMPOSER.compose(
                state, LatestCount.of(CALM, T0), Optional.empty(), Optional.empty(), List.of(), T0),
            "HostNetwork");
    assertThat(outside.getStatus()).isEqualTo("False");
    assertThat(outside.getReason()).isEqualTo("NotInitialNamespace");
    assertThat(outside.getMessage()).contains("tcp_max_orphans", "hostNetwork: true");
    NodeObservation host =
        new NodeObservation(
            Map.of(ManagedSysctl.MAX_ORPHANS, 65536L), CALM.states(), CALM.counters(), "netlink");
    Condition inside =
        condition(
            COMPOSER.compose(
                state, LatestCount.of(host, T0), Optional.empty(), Optional.empty(), List.of(), T0),
            "HostNetwork");
    assertThat(inside.getStatus()).isEqualTo("True");
    assertThat(inside.getReason()).isEqualTo("InitialNamespace");
  }

  @Test
  void hostileConditionsReadBackFromTheApiServerDoNotBreakComposition() {
    AgentState state = applied(AgentState.Problems.NONE, List.of());
    List<Condition> hostile = new java.util.ArrayList<>();
    hostile.add(null);
    hostile.add(new Condition());
    hostile.add(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("Applied").build());
    TcpTeardownNodeStatus status =
        COMPOSER.compose(
            state, LatestCount.of(CALM, T0), Optional.empty(), Optional.empty(), hostile, T0);
    assertThat(condition(status, "Applied").getStatus()).isEqualTo("True");
    assertThat(
            COMPOSER
                .compose(
                    state, LatestCount.of(CALM, T0), Optional.empty(), Optional.empty(), null, T0)
                .conditions())
        .isNotEmpty();
  }
}
