package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.tier.UnitTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

@UnitTest
class NodeWarningsTest {
  private static NodeObservation observation(
      Map<ManagedSysctl, Long> sysctls, long timeWait, long orphans) {
    return new NodeObservation(
        sysctls, new StateCounts(0, 0, timeWait, 0, 0, 0, orphans), KernelCounters.ZERO, "netlink");
  }

  @Test
  void reuseWithTimestampsOffIsAWarningWithTheFix() {
    var warnings =
        NodeWarnings.of(
            observation(Map.of(ManagedSysctl.TW_REUSE, 1L, ManagedSysctl.TIMESTAMPS, 0L), 0, 0));
    assertThat(warnings)
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.kind()).isEqualTo(NodeWarnings.REUSE_WITHOUT_TIMESTAMPS);
              assertThat(w.message())
                  .contains(
                      "net.ipv4.tcp_tw_reuse is 1", "tcp_timestamps is 0", "timestamps to Enabled");
            });
    assertThat(
            NodeWarnings.of(
                observation(
                    Map.of(ManagedSysctl.TW_REUSE, 0L, ManagedSysctl.TIMESTAMPS, 0L), 0, 0)))
        .isEmpty();
    assertThat(
            NodeWarnings.of(
                observation(
                    Map.of(ManagedSysctl.TW_REUSE, 2L, ManagedSysctl.TIMESTAMPS, 1L), 0, 0)))
        .isEmpty();
  }

  @Test
  void pressureStartsAtNinetyPercentOfEachLimit() {
    Map<ManagedSysctl, Long> limits =
        Map.of(ManagedSysctl.MAX_TW_BUCKETS, 10_000L, ManagedSysctl.MAX_ORPHANS, 1000L);
    assertThat(NodeWarnings.pressure(observation(limits, 8_999, 899))).isEmpty();
    assertThat(NodeWarnings.pressure(observation(limits, 9_000, 900)))
        .extracting(NodeWarnings.Warning::kind)
        .containsExactly(NodeWarnings.TIME_WAIT_NEAR_LIMIT, NodeWarnings.ORPHANS_NEAR_LIMIT);
  }

  @Test
  void anAbsentLimitGivesNoPressureWarning() {
    assertThat(NodeWarnings.pressure(observation(Map.of(), 1_000_000, 1_000_000))).isEmpty();
  }
}
