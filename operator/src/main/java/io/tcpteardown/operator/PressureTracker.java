package io.tcpteardown.operator;

import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers each node's teardown-trouble counters from its previous agent report, to tell whether
 * they rose between the two latest reports. In memory only: after an operator restart the first
 * report sets the baseline.
 */
public final class PressureTracker {
  private record Seen(String reportTime, KernelCounters counters, boolean rising) {}

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  /** Whether the node's overflow or orphan-abort counters rose between its last two reports. */
  public boolean countersRising(String node, TcpTeardownNodeStatus status) {
    if (status == null || status.counters() == null || status.lastReportTime() == null) {
      return false;
    }
    Seen next =
        seen.compute(
            node,
            (name, before) -> {
              if (before == null) {
                return new Seen(status.lastReportTime(), status.counters(), false);
              }
              if (Objects.equals(before.reportTime(), status.lastReportTime())) {
                return before;
              }
              KernelCounters previous = before.counters();
              KernelCounters current = status.counters();
              boolean rising =
                  current.timeWaitOverflow() > previous.timeWaitOverflow()
                      || current.abortOnMemory() > previous.abortOnMemory();
              return new Seen(status.lastReportTime(), current, rising);
            });
    return next.rising();
  }

  public void forget(String node) {
    seen.remove(node);
  }

  /**
   * Forgets every node not in {@code present}: a Node or TcpTeardownNode that went away takes its
   * baseline with it, so that memory stays bounded by the nodes that exist and a node re-created
   * under the same name starts from its own first report.
   */
  public void retainOnly(Set<String> present) {
    seen.keySet().retainAll(present);
  }

  /** The nodes whose previous report is remembered. */
  Set<String> trackedNodes() {
    return Set.copyOf(seen.keySet());
  }
}
