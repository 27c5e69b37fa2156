package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@UnitTest
class OperatorMetricsTest {
  private static TcpTeardownProfileStatus status(int selected, int applied) {
    return new TcpTeardownProfileStatus(
        1L, List.of(), selected, applied, StateCounts.ZERO, List.of(), false);
  }

  @Test
  void seriesFollowTheProfilesAndGoWithThem() {
    OperatorMetrics metrics = new OperatorMetrics();
    metrics.record("web", status(3, 2));
    metrics.record("batch", status(1, 1));
    assertThat(metrics.scrape())
        .contains(
            "tcp_teardown_profile_selected_nodes{profile=\"web\"} 3",
            "tcp_teardown_profile_applied_nodes{profile=\"web\"} 2",
            "tcp_teardown_profile_selected_nodes{profile=\"batch\"} 1");
    metrics.retainOnly(Set.of("batch"));
    assertThat(metrics.scrape()).doesNotContain("profile=\"web\"").contains("profile=\"batch\"");
    metrics.record("web", status(4, 4));
    assertThat(metrics.scrape()).contains("tcp_teardown_profile_selected_nodes{profile=\"web\"} 4");
  }

  @Test
  void theSpecWritesAreCounted() {
    OperatorMetrics metrics = new OperatorMetrics();
    metrics.specWritten();
    metrics.specWritten();
    String line =
        metrics
            .scrape()
            .lines()
            .filter(l -> l.startsWith("tcp_teardown_node_spec_writes_total "))
            .findFirst()
            .orElseThrow();
    assertThat(Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
        .isEqualTo((double) metrics.specWrites());
    assertThat(metrics.specWrites()).isEqualTo(2);
  }

  @Test
  void silentAgentsHaveASeriesOnlyWhileSilent() {
    OperatorMetrics metrics = new OperatorMetrics();
    assertThat(metrics.scrape()).doesNotContain(OperatorMetrics.AGENT_SILENT + "{");
    metrics.silentAgents(
        Map.of("node-a", Duration.ofSeconds(200), "node-b", Duration.ofSeconds(400)));
    assertThat(metrics.scrape())
        .contains(
            OperatorMetrics.AGENT_SILENT + "{node=\"node-a\"} 200",
            OperatorMetrics.AGENT_SILENT + "{node=\"node-b\"} 400");
    metrics.silentAgents(Map.of("node-b", Duration.ofSeconds(430)));
    assertThat(metrics.scrape())
        .doesNotContain("node=\"node-a\"")
        .contains(OperatorMetrics.AGENT_SILENT + "{node=\"node-b\"} 430");
    metrics.silentAgents(Map.of());
    assertThat(metrics.scrape()).doesNotContain(OperatorMetrics.AGENT_SILENT + "{");
  }

  @Test
  void theLeaderGaugeFollowsLeadership() {
    OperatorMetrics metrics = new OperatorMetrics();
    java.util.concurrent.atomic.AtomicBoolean leading =
        new java.util.concurrent.atomic.AtomicBoolean();
    metrics.leadership(leading::get);
    assertThat(metrics.scrape()).contains(OperatorMetrics.LEADER + " 0.0");
    leading.set(true);
    assertThat(metrics.scrape()).contains(OperatorMetrics.LEADER + " 1.0");
  }
}
