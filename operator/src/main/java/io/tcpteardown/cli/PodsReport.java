package io.tcpteardown.cli;

import io.tcpteardown.agent.NodeReport;
import io.tcpteardown.agent.pods.NamespaceCounts;
import io.tcpteardown.agent.pods.NamespaceScanner;
import io.tcpteardown.agent.pods.PodCgroup;
import io.tcpteardown.api.StateCounts;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;

/** {@code node-report --pods}: the node's own report and one entry per other network namespace. */
record PodsReport(NodeReport node, List<Entry> namespaces) {

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
      long finWait1,
      long finWait2,
      long timeWait,
      long closeWait,
      long lastAck,
      long closing,
      long orphans,
      long timeWaitOverflow,
      long abortOnMemory,
      Long maxTwBuckets) {}

  static List<Entry> of(List<NamespaceCounts> counted, NamespaceScanner scanner) {
    return counted.stream()
        .map(
            c -> {
              StateCounts s = c.states();
              int pid = c.namespace().firstPid();
              return new Entry(
                  c.namespace().pod().map(PodCgroup::podUid).orElse(null),
                  c.namespace().pod().flatMap(PodCgroup::containerId).orElse(null),
                  c.namespace().inode(),
                  pid,
                  scanner.commandOf(pid).orElse("?"),
                  s.finWait1(),
                  s.finWait2(),
                  s.timeWait(),
                  s.closeWait(),
                  s.lastAck(),
                  s.closing(),
                  s.orphans(),
                  c.counters().timeWaitOverflow(),
                  c.counters().abortOnMemory(),
                  c.maxTwBuckets().isPresent() ? c.maxTwBuckets().getAsLong() : null);
            })
        .sorted(Comparator.comparingLong(Entry::timeWait).reversed())
        .toList();
  }

  static void printTable(PrintWriter out, List<Entry> namespaces) {
    out.println();
    out.printf("%d other network namespaces%n", namespaces.size());
    out.printf(
        "%-40s %-10s %-10s %-10s %-10s %-10s %-10s %-8s %-10s %-12s%n",
        "POD (or NAMESPACE/PID COMMAND)",
        "FIN_WAIT1",
        "FIN_WAIT2",
        "TIME_WAIT",
        "CLOSE_WAIT",
        "LAST_ACK",
        "CLOSING",
        "ORPHANS",
        "TW_OVERFL",
        "MAX_TW");
    for (Entry e : namespaces) {
      String name =
          e.podUid() != null
              ? "pod " + e.podUid()
              : "netns " + e.namespaceInode() + "/" + e.pid() + " " + e.command();
      out.printf(
          "%-40s %-10d %-10d %-10d %-10d %-10d %-10d %-8d %-10d %-12s%n",
          name,
          e.finWait1(),
          e.finWait2(),
          e.timeWait(),
          e.closeWait(),
          e.lastAck(),
          e.closing(),
          e.orphans(),
          e.timeWaitOverflow(),
          e.maxTwBuckets() == null ? "?" : e.maxTwBuckets());
    }
  }
}
