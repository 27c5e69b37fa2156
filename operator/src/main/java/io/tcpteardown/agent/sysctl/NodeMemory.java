package io.tcpteardown.agent.sysctl;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The node's memory for the safety rule on maxOrphans ({@code SafetyRules.RULE_ORPHAN_MEMORY}):
 * {@code MemTotal} of {@code /proc/meminfo}, or the Node's {@code status.capacity.memory} where
 * that is lower (the operator's rule uses the latter; the kubelet reports MemTotal there, so they
 * differ only where the kubelet is told otherwise). Unknown when neither is known: the rule is then
 * not checked, as the operator does not check it for a node without capacity.
 */
public final class NodeMemory {
  private final Supplier<Optional<Long>> memTotal;
  private final Supplier<Optional<Long>> capacity;
  private final Supplier<Optional<Long>> maxPods;

  private NodeMemory(
      Supplier<Optional<Long>> memTotal,
      Supplier<Optional<Long>> capacity,
      Supplier<Optional<Long>> maxPods) {
    this.memTotal = memTotal;
    this.capacity = capacity;
    this.maxPods = maxPods;
  }

  /**
   * Nothing known: the memory rule is not checked (pods' namespaces, which never set maxOrphans).
   */
  public static NodeMemory unknown() {
    return new NodeMemory(Optional::empty, Optional::empty, Optional::empty);
  }

  /**
   * @param procRoot where {@code meminfo} is read, at every check
   * @param capacity the Node's capacity.memory as last known; it must answer at once (never a call
   *     to the API server: the kernel work never waits for it)
   */
  public static NodeMemory of(Path procRoot, Supplier<Optional<Long>> capacity) {
    return of(procRoot, capacity, Optional::empty);
  }

  /**
   * @param maxPods the Node's capacity.pods as last known, for the rule on childEhashEntries (the
   *     own tables of that many pods); it must answer at once, as {@code capacity}
   */
  public static NodeMemory of(
      Path procRoot, Supplier<Optional<Long>> capacity, Supplier<Optional<Long>> maxPods) {
    return new NodeMemory(() -> MemInfo.memTotalBytes(procRoot), capacity, maxPods);
  }

  /** The Node's capacity.pods, as last known. */
  public Optional<Long> maxPods() {
    try {
      return maxPods.get().filter(p -> p > 0);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The lower of MemTotal and the Node's capacity, either where only one is known. */
  public Optional<Long> bytes() {
    Optional<Long> total = memTotal.get();
    Optional<Long> node;
    try {
      node = capacity.get().filter(b -> b > 0);
    } catch (RuntimeException e) {
      node = Optional.empty();
    }
    if (total.isPresent() && node.isPresent()) {
      return Optional.of(Math.min(total.get(), node.get()));
    }
    return total.isPresent() ? total : node;
  }
}
