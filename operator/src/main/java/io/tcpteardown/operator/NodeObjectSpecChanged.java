package io.tcpteardown.operator;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.tcpteardown.api.TcpTeardownNode;
import java.util.Objects;

/**
 * Lets a TcpTeardownNode update reconcile its Node only when its spec may have changed (the API
 * server raises metadata.generation on spec changes only) or its deletion began. Every agent report
 * is an update of the status, which never changes the spec the node should have.
 */
public final class NodeObjectSpecChanged implements OnUpdateFilter<TcpTeardownNode> {
  @Override
  public boolean accept(TcpTeardownNode next, TcpTeardownNode previous) {
    if (previous == null || previous.getMetadata() == null || next.getMetadata() == null) {
      return true;
    }
    Long before = previous.getMetadata().getGeneration();
    Long after = next.getMetadata().getGeneration();
    return before == null
        || after == null
        || !Objects.equals(before, after)
        || !Objects.equals(
            previous.getMetadata().getDeletionTimestamp(),
            next.getMetadata().getDeletionTimestamp());
  }
}
