package io.tcpteardown.rules;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/** What resolution needs to know of a node, and nothing more. */
public record NodeFacts(
    String name, String uid, Map<String, String> labels, Long memoryBytes, Long maxPods) {

  /** A node whose pod capacity is unknown. */
  public NodeFacts(String name, String uid, Map<String, String> labels, Long memoryBytes) {
    this(name, uid, labels, memoryBytes, null);
  }

  public static NodeFacts of(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    Long memory = null;
    Long pods = null;
    if (node.getStatus() != null && node.getStatus().getCapacity() != null) {
      Quantity quantity = node.getStatus().getCapacity().get("memory");
      if (quantity != null) {
        memory = quantity.getNumericalAmount().longValue();
      }
      Quantity podCount = node.getStatus().getCapacity().get("pods");
      if (podCount != null) {
        pods = podCount.getNumericalAmount().longValue();
      }
    }
    return new NodeFacts(
        node.getMetadata().getName(),
        node.getMetadata().getUid(),
        labels == null ? Map.of() : Map.copyOf(labels),
        memory,
        pods);
  }
}
