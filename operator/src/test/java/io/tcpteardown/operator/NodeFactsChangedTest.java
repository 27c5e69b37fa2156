package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.tcpteardown.tier.UnitTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

@UnitTest
class NodeFactsChangedTest {
  private final NodeFactsChanged filter = new NodeFactsChanged();

  private static Node node(Map<String, String> labels, String memory, String heartbeat) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("web-1")
        .withUid("u1")
        .withLabels(labels)
        .withResourceVersion(heartbeat)
        .endMetadata()
        .withNewStatus()
        .withCapacity(Map.of("memory", new Quantity(memory), "cpu", new Quantity("4")))
        .withConditions(
            new NodeConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withLastHeartbeatTime(heartbeat)
                .build())
        .endStatus()
        .build();
  }

  @Test
  void aKubeletStatusUpdateDoesNotPass() {
    assertThat(
            filter.accept(
                node(Map.of("tier", "web"), "8Gi", "2026-11-26T12:00:10Z"),
                node(Map.of("tier", "web"), "8Gi", "2026-11-26T12:00:00Z")))
        .isFalse();
  }

  @Test
  void aLabelOrMemoryChangePasses() {
    Node before = node(Map.of("tier", "web"), "8Gi", "1");
    assertThat(filter.accept(node(Map.of("tier", "db"), "8Gi", "2"), before)).isTrue();
    assertThat(filter.accept(node(Map.of("tier", "web", "x", "y"), "8Gi", "2"), before)).isTrue();
    assertThat(filter.accept(node(Map.of("tier", "web"), "16Gi", "2"), before)).isTrue();
  }
}
