package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.tier.UnitTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The slim Node keeps what resolution reads: the memory and pod capacity, for the memory rules. */
@UnitTest
class SlimNodeStoreTest {
  @Test
  void memoryAndPodCapacityAreKeptAndTheRestDropped() {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName("n1")
            .withUid("u1")
            .endMetadata()
            .withNewStatus()
            .withCapacity(
                Map.of(
                    "memory", new Quantity("16Gi"),
                    "pods", new Quantity("110"),
                    "cpu", new Quantity("4")))
            .endStatus()
            .build();
    Node slim = SlimNodeStore.slim(node);
    assertThat(slim.getStatus().getCapacity()).containsOnlyKeys("memory", "pods");
    NodeFacts facts = NodeFacts.of(slim);
    assertThat(facts.memoryBytes()).isEqualTo(16L * 1024 * 1024 * 1024);
    assertThat(facts.maxPods()).isEqualTo(110L);
    assertThat(facts).isEqualTo(NodeFacts.of(node));
  }
}
