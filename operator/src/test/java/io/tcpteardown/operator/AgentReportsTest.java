package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

@UnitTest
class AgentReportsTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final Duration LIMIT = Duration.ofMinutes(3);

  private static TcpTeardownNode node(String name, String created, String lastReport) {
    TcpTeardownNode node = new TcpTeardownNode();
    node.setMetadata(new ObjectMetaBuilder().withName(name).withCreationTimestamp(created).build());
    if (lastReport != null) {
      node.setStatus(
          new TcpTeardownNodeStatus(
              1L, Map.of(), Map.of(), null, null, 0L, null, null, lastReport));
    }
    return node;
  }

  @Test
  void onlyNodesSilentPastTheLimitAreListedWithHowLong() {
    AgentReports reports = new AgentReports(LIMIT);
    reports.seen(node("fresh", "2026-12-01T00:00:00Z", "2026-12-07T11:59:00Z"));
    reports.seen(node("dead", "2026-12-01T00:00:00Z", "2026-12-07T11:50:00Z"));
    reports.seen(node("edge", "2026-12-01T00:00:00Z", "2026-12-07T11:57:00Z"));
    assertThat(reports.silent(NOW)).containsExactly(Map.entry("dead", Duration.ofMinutes(10)));
  }

  @Test
  void anAgentThatNeverReportedCountsFromTheObjectsCreation() {
    AgentReports reports = new AgentReports(LIMIT);
    reports.seen(node("new", "2026-12-07T11:59:00Z", null));
    reports.seen(node("never", "2026-12-07T11:00:00Z", null));
    assertThat(reports.silent(NOW)).containsOnlyKeys("never");
  }

  @Test
  void aReportAfterSilenceAndADeletedNodeLeaveTheList() {
    AgentReports reports = new AgentReports(LIMIT);
    TcpTeardownNode dead = node("dead", "2026-12-01T00:00:00Z", "2026-12-07T11:00:00Z");
    reports.seen(dead);
    reports.seen(node("gone", "2026-12-01T00:00:00Z", "2026-12-07T11:00:00Z"));
    reports.seen(node("dead", "2026-12-01T00:00:00Z", "2026-12-07T11:59:30Z"));
    reports.forget(node("gone", null, null));
    assertThat(reports.silent(NOW)).isEmpty();
  }

  @Test
  void anUnreadableReportTimeIsNoReport() {
    AgentReports reports = new AgentReports(LIMIT);
    reports.seen(node("forged", "2026-12-07T11:00:00Z", "in the future\u001b[0m"));
    assertThat(reports.silent(NOW)).containsOnlyKeys("forged");
  }
}
