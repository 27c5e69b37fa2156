package io.tcpteardown.agent;

import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.rules.PodRule;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The latest TcpTeardownNode of this node as the node loop's watch last saw it, read by the node
 * loop and the pod tuning loop. Empty before the first and after the object was deleted.
 */
public final class LatestNodeSpec {
  private final AtomicReference<TcpTeardownNode> latest = new AtomicReference<>();

  /** The object now; null when there is none. */
  TcpTeardownNode get() {
    return latest.get();
  }

  /** Takes {@code node} as the latest; answers whether its spec changed (a new generation). */
  boolean update(TcpTeardownNode node) {
    TcpTeardownNode previous = latest.getAndSet(node);
    return previous == null
        || !Objects.equals(
            previous.getMetadata().getGeneration(), node.getMetadata().getGeneration());
  }

  /** The object was deleted: values are left as they are. */
  void deleted() {
    latest.set(null);
  }

  /**
   * The pod rules of the latest spec; empty before the first spec and after the object was deleted
   * (then pods are left as they are, as the node is).
   */
  public Optional<List<PodRule>> podRules() {
    TcpTeardownNode node = latest.get();
    if (node == null) {
      return Optional.empty();
    }
    if (node.getSpec() == null) {
      return Optional.of(List.of());
    }
    return Optional.of(
        node.getSpec().podRules().stream().filter(Objects::nonNull).map(PodRule::of).toList());
  }
}
