package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.rules.advice.AdviceReason;
import io.tcpteardown.tier.UnitTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Node annotation that turns advice off, and the advice metric's series. */
@UnitTest
class AdviceSwitchAndMetricTest {

  @Test
  void onlyTheAnnotationOffTurnsAdviceOff() {
    assertThat(NodeCapacity.adviceOff(node(null))).isFalse();
    assertThat(NodeCapacity.adviceOff(node(Map.of("other", "off")))).isFalse();
    assertThat(NodeCapacity.adviceOff(node(Map.of(AdviceEntry.ANNOTATION, "on")))).isFalse();
    assertThat(NodeCapacity.adviceOff(node(Map.of(AdviceEntry.ANNOTATION, "OFF")))).isFalse();
    assertThat(NodeCapacity.adviceOff(node(Map.of(AdviceEntry.ANNOTATION, "off")))).isTrue();
  }

  @Test
  void theMetricHasTwelveSeriesPerNodeAndCountsEveryEntryByScopeAndReason() {
    AgentMetrics metrics = new AgentMetrics("node-a");
    metrics.advised(
        Map.of(
            new AdviceBook.Tally(AdviceEntry.SCOPE_POD, AdviceReason.PortsTowardOneDestination),
            40,
            new AdviceBook.Tally(AdviceEntry.SCOPE_HOST_NETWORK, AdviceReason.UnansweredFins),
            1));
    String scrape = metrics.scrape();
    assertThat(scrape.lines().filter(l -> l.startsWith("tcp_teardown_advice{")))
        .hasSize(2 * AdviceReason.values().length);
    assertThat(scrape)
        .contains(
            "tcp_teardown_advice{node=\"node-a\",reason=\"PortsTowardOneDestination\",scope=\"Pod\"} 40.0")
        .contains(
            "tcp_teardown_advice{node=\"node-a\",reason=\"UnansweredFins\",scope=\"HostNetwork\"} 1.0")
        .contains(
            "tcp_teardown_advice{node=\"node-a\",reason=\"TimeWaitTableFull\",scope=\"HostNetwork\"} 0.0");
  }

  private static Node node(Map<String, String> annotations) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("node-a")
        .withAnnotations(annotations)
        .endMetadata()
        .build();
  }
}
