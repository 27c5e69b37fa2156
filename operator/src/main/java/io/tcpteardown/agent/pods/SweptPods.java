package io.tcpteardown.agent.pods;

import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.StateCounts;
import java.util.List;

/**
 * The pods' part of a node's status after one sweep.
 *
 * @param states the six states summed over every pod namespace (orphans: the pods' own)
 * @param entries the listed pods: every pod with a problem, then the most teardown sockets
 * @param podNamespaces how many pod namespaces were counted
 * @param truncated more pods were counted than listed
 * @param pressure one message per pod namespace near its own limit or overflowing, naming the pod
 * @param leaks one message per suspected CLOSE_WAIT leak, naming the pod and the processes
 */
public record SweptPods(
    StateCounts states,
    List<PodTeardownEntry> entries,
    int podNamespaces,
    boolean truncated,
    List<String> pressure,
    List<String> leaks) {
  public static final SweptPods NONE =
      new SweptPods(StateCounts.ZERO, List.of(), 0, false, List.of(), List.of());

  public SweptPods {
    entries = List.copyOf(entries);
    pressure = List.copyOf(pressure);
    leaks = List.copyOf(leaks);
  }
}
