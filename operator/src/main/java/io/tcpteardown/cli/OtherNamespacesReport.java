package io.tcpteardown.cli;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.tcpteardown.agent.NodeReport;
import io.tcpteardown.agent.pods.NamespaceCounts;
import io.tcpteardown.agent.pods.NamespaceScanner;
import io.tcpteardown.agent.pods.PodCgroup;
import io.tcpteardown.api.StateCounts;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;

/** {@code node-report --pods}: the node's own report and one entry per other network namespace. */
record OtherNamespacesReport(NodeReport node, List<Entry> namespaces) {

  /**
   * One namespace: its pod UID and container where the cgroup path names them, its inode, a process
   * in it, the six states, its own orphans, counters and tcp_max_tw_buckets.
   */
  record Entry(
      String podUid,
      String containerId,
      long namespaceInode,
      int pid,
      String command,
      @JsonUnwrapped StateCounts states,
      long timeWaitOverflow,
      long abortOnMemory,
      Long maxTwBuckets) {}

  static List<Entry> of(List<NamespaceCounts> counted, NamespaceScanner scanner) {
    return counted.stream()
        .map(
            c -> {
              int pid = c.namespace().firstPid();
              return new Entry(
                  c.namespace().pod().map(PodCgroup::podUid).orElse(null),
                  c.namespace().pod().flatMap(PodCgroup::containerId).orElse(null),
                  c.namespace().inode(),
                  pid,
                  scanner.commandOf(pid).orElse("?"),
                  c.states(),
                  c.counters().timeWaitOverflow(),
                  c.counters().abortOnMemory(),
                  c.maxTwBuckets().isPresent() ? c.maxTwBuckets().getAsLong() : null);
            })
        .sorted(Comparator.comparingLong((Entry e) -> e.states().timeWait()).reversed())
        .toList();
  }

  static void printTable(PrintWriter out, List<Entry> namespaces) {
    out.println();
    out.printf("%d other network namespaces%n", namespaces.size());
    out.printf(
        "%-40s %s %-10s %-12s%n",
        "POD (or NAMESPACE/PID COMMAND)", StateColumns.headings(10, 8), "TW_OVERFL", "MAX_TW");
    for (Entry e : namespaces) {
      String name =
          e.podUid() != null
              ? "pod " + e.podUid()
              : "netns " + e.namespaceInode() + "/" + e.pid() + " " + e.command();
      out.printf(
          "%-40s %s %-10d %-12s%n",
          name,
          StateColumns.counts(e.states(), 10, 8),
          e.timeWaitOverflow(),
          e.maxTwBuckets() == null ? "?" : e.maxTwBuckets());
    }
  }
}
