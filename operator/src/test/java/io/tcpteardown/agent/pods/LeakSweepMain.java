package io.tcpteardown.agent.pods;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The agent's leak path as its own process, for {@link CloseWaitHoldersMemoryKernelTest}: sweeps
 * the namespaces of one pod (by its UID) as the agent's pod observer does, and for a namespace at
 * or above the CLOSE_WAIT threshold names the holders with the same {@link CloseWaitHolders} wiring
 * as the agent (inodes from the sweeper's netlink dump). Prints one line per namespace and round,
 * then "done". Arguments: pod UID, threshold, rounds.
 */
public final class LeakSweepMain {
  private LeakSweepMain() {}

  public static void main(String[] args) throws Exception {
    String uid = args[0];
    long threshold = Long.parseLong(args[1]);
    int rounds = Integer.parseInt(args[2]);
    Path proc = Path.of("/proc");
    try (NamespaceCounter sweeper = new NamespaceCounter(proc, Clock.systemUTC())) {
      CloseWaitHolders holders = new CloseWaitHolders(proc, sweeper::closeWaitInodes);
      for (int round = 1; round <= rounds; round++) {
        List<NamespaceCounts> counted =
            sweeper.sweep(n -> n.pod().map(p -> p.podUid().equals(uid)).orElse(false));
        for (NamespaceCounts counts : counted) {
          StringBuilder line =
              new StringBuilder("round ")
                  .append(round)
                  .append(" timeWait ")
                  .append(counts.states().timeWait())
                  .append(" closeWait ")
                  .append(counts.states().closeWait());
          if (counts.states().closeWait() >= threshold) {
            for (CloseWaitHolders.Holder holder : holders.find(counts.namespace())) {
              line.append(" holder ").append(holder.pid()).append(':').append(holder.sockets());
            }
          }
          System.out.println(line);
        }
      }
    }
    Runtime runtime = Runtime.getRuntime();
    System.out.println("maxHeap " + runtime.maxMemory());
    System.out.println("done");
  }
}
