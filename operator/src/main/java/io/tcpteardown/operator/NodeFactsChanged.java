package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.tcpteardown.rules.NodeFacts;

/**
 * Lets a Node update through only when what resolution reads of it changed (name, UID, labels,
 * memory capacity). Kubelets update their Node's status all the time (conditions, images,
 * heartbeats on older clusters); none of that changes a node's settings or a profile's status.
 */
public final class NodeFactsChanged implements OnUpdateFilter<Node> {
  @Override
  public boolean accept(Node next, Node previous) {
    return previous == null || !NodeFacts.of(next).equals(NodeFacts.of(previous));
  }
}
