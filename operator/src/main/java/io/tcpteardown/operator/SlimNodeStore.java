package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Map;

/**
 * An informer store that keeps only what resolution needs of each Node (name, uid, labels, resource
 * version, memory and pod capacity): whole Nodes carry image lists and conditions that would cost
 * megabytes on large clusters.
 */
public class SlimNodeStore extends BasicItemStore<Node> {

  public SlimNodeStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public Node put(String key, Node node) {
    return super.put(key, slim(node));
  }

  static Node slim(Node node) {
    Map<String, Quantity> capacity =
        node.getStatus() == null || node.getStatus().getCapacity() == null
            ? Map.of()
            : node.getStatus().getCapacity();
    Map<String, Quantity> kept = new java.util.TreeMap<>();
    for (String resource : java.util.List.of("memory", "pods")) {
      if (capacity.get(resource) != null) {
        kept.put(resource, capacity.get(resource));
      }
    }
    NodeBuilder builder =
        new NodeBuilder()
            .withNewMetadata()
            .withName(node.getMetadata().getName())
            .withUid(node.getMetadata().getUid())
            .withResourceVersion(node.getMetadata().getResourceVersion())
            .withGeneration(node.getMetadata().getGeneration())
            .withLabels(node.getMetadata().getLabels())
            .withDeletionTimestamp(node.getMetadata().getDeletionTimestamp())
            .endMetadata();
    if (!kept.isEmpty()) {
      builder.withNewStatus().withCapacity(kept).endStatus();
    }
    return builder.build();
  }
}
