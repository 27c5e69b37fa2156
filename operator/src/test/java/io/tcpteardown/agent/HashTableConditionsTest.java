package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.pods.PodSweepLoop;
import io.tcpteardown.agent.pods.SweptPods;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the node's status says about childEhashEntries and the pods' hash tables. */
@UnitTest
class HashTableConditionsTest {
  private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");
  private static final AgentStatusComposer COMPOSER =
      new AgentStatusComposer(new AgentInfo("agent-x", "1.0"));
  private static final NodeObservation CALM =
      new NodeObservation(
          Map.of(ManagedSysctl.MAX_TW_BUCKETS, 1000L),
          new StateCounts(1, 2, 3, 4, 5, 6, 7),
          new KernelCounters(8, 9),
          "netlink");

  private static AgentState applied(TeardownSettings desired, Map<ManagedSysctl, Long> values) {
    return new AgentState(4, desired, values, Map.of(), AgentState.Problems.NONE, List.of(), 2);
  }

  @Test
  void appliedSaysExistingPodsKeepTheSharedTable() {
    TeardownSettings desired = new TeardownSettings(null, null, null, null, null, null, 16384);
    TcpTeardownNodeStatus status =
        COMPOSER.compose(
            applied(desired, Map.of(ManagedSysctl.CHILD_EHASH_ENTRIES, 16384L)),
            LatestCount.of(CALM, T0),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(
            Conditions.find(status.conditions(), NodeConditions.APPLIED).orElseThrow().getMessage())
        .contains(
            "net.ipv4.tcp_child_ehash_entries=16384",
            "pods created from now on",
            "existing pods keep the shared table until they are recreated");
    TeardownSettings fin = TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 30);
    TcpTeardownNodeStatus without =
        COMPOSER.compose(
            applied(fin, Map.of(ManagedSysctl.FIN_TIMEOUT, 30L)),
            LatestCount.of(CALM, T0),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(
            Conditions.find(without.conditions(), NodeConditions.APPLIED)
                .orElseThrow()
                .getMessage())
        .doesNotContain("shared table");
  }

  @Test
  void theAdviceIsAConditionOnlyWhileItHolds() {
    AgentState state = applied(TeardownSettings.NONE, Map.of());
    LatestCount count = LatestCount.of(CALM, T0);
    TcpTeardownNodeStatus advised =
        COMPOSER.compose(
            state,
            count,
            Optional.of(
                new PodSweepLoop.Result(
                    SweptPods.NONE, T0, Duration.ofMillis(500), Optional.of("set it"))),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(Conditions.find(advised.conditions(), NodeConditions.POD_HASH_TABLES))
        .hasValueSatisfying(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo(NodeConditions.REASON_SHARED_TABLE_COSTLY);
              assertThat(c.getMessage()).isEqualTo("set it");
            });
    TcpTeardownNodeStatus quiet =
        COMPOSER.compose(
            state,
            count,
            Optional.of(new PodSweepLoop.Result(SweptPods.NONE, T0, Duration.ofMillis(1))),
            Optional.empty(),
            List.of(),
            T0);
    assertThat(Conditions.find(quiet.conditions(), NodeConditions.POD_HASH_TABLES)).isEmpty();
  }
}
