package io.tcpteardown.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.count.LocalPorts;
import io.tcpteardown.agent.count.NetlinkStateCounter;
import io.tcpteardown.agent.count.ProcNetTcpCounter;
import io.tcpteardown.agent.count.TeardownDetails;
import io.tcpteardown.testsupport.NetworkNamespace;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Times one full count of 100,000 TIME_WAIT sockets by the netlink path, by the /proc fallback and
 * by {@code ss -tan state time-wait | wc -l}, side by side, and measures the heap each count
 * allocates at 100,000 sockets and at 100. Prints figures; asserts only that all three count the
 * same sockets. Not part of {@code verify}; run it with {@code ./mvnw -B -o test
 * -Dtest=CountBenchmark -Dsurefire.failIfNoSpecifiedTests=false} (root, Linux).
 */
class CountBenchmark {
  private static final int SOCKETS = Integer.getInteger("bench.sockets", 100_000);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 15);

  @Test
  void countTimeWaitSockets() throws Exception {
    try (NetworkNamespace big = NetworkNamespace.create("bench");
        NetworkNamespace small = NetworkNamespace.create("bench-small");
        NetworkNamespace spread = NetworkNamespace.create("bench-spread")) {
      long start = System.nanoTime();
      TimeWaitPopulation.create(big, SOCKETS);
      TimeWaitPopulation.create(small, 100);
      // As many sockets toward twice the destinations the details' table keeps.
      TimeWaitPopulation.create(spread, SOCKETS, SOCKETS / 2048);
      System.out.printf(
          "created %,d TIME_WAIT sockets in %.1f s%n", SOCKETS, (System.nanoTime() - start) / 1e9);

      try (NetlinkStateCounter netlink = big.call(NetlinkStateCounter::open);
          NetlinkStateCounter netlinkSmall = small.call(NetlinkStateCounter::open)) {
        ProcNetTcpCounter proc = new ProcNetTcpCounter(big.procRoot());
        ProcNetTcpCounter procSmall = new ProcNetTcpCounter(small.procRoot());
        long byNetlink = big.call(() -> netlink.count().timeWait());
        long byProc = big.call(() -> proc.count().timeWait());
        long bySs =
            Long.parseLong(big.exec("sh", "-c", "ss -tan state time-wait | wc -l").strip()) - 1;
        System.out.printf("counted: netlink %,d, /proc %,d, ss %,d%n", byNetlink, byProc, bySs);
        assertThat(byNetlink).isEqualTo(byProc).isEqualTo(bySs).isGreaterThanOrEqualTo(SOCKETS);

        LocalPorts ports = big.call(() -> LocalPorts.read(big.procRoot().resolve("sys/net/ipv4")));
        LocalPorts smallPorts =
            small.call(() -> LocalPorts.read(small.procRoot().resolve("sys/net/ipv4")));
        TeardownDetails details = new TeardownDetails();
        Callable<Object> withDetails =
            () -> {
              details.reset(ports);
              netlink.count(details);
              return details.result();
            };
        Callable<Object> smallWithDetails =
            () -> {
              details.reset(smallPorts);
              netlinkSmall.count(details);
              return details.result();
            };
        for (int i = 0; i < 200; i++) {
          big.call(netlink::count);
          big.call(withDetails);
          small.call(smallWithDetails);
          small.call(netlinkSmall::count);
          if (i % 20 == 0) {
            big.call(proc::count);
          }
        }
        double[] netlinkMs = new double[ROUNDS];
        double[] procMs = new double[ROUNDS];
        double[] ssMs = new double[ROUNDS];
        double[] detailsMs = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
          netlinkMs[round] = big.call(() -> millis(netlink::count));
          detailsMs[round] = big.call(() -> millis(withDetails));
          procMs[round] = big.call(() -> millis(proc::count));
          ssMs[round] = millis(() -> big.exec("sh", "-c", "ss -tan state time-wait | wc -l"));
        }
        double netlinkMedian = median(netlinkMs);
        double procMedian = median(procMs);
        double ssMedian = median(ssMs);
        System.out.printf(
            "%nOne full count of %,d TIME_WAIT sockets, median of %d rounds (warmed up):%n",
            byNetlink, ROUNDS);
        System.out.printf("  %-44s %8.1f ms%n", "netlink inet_diag (FFM)", netlinkMedian);
        double detailsMedian = median(detailsMs);
        System.out.printf(
            "  %-44s %8.1f ms  (%.2fx netlink; advice's goal: at most 1.2x)%n",
            "netlink + advice details, same dump", detailsMedian, detailsMedian / netlinkMedian);
        System.out.printf(
            "  destinations: %,d named, %,d sockets beyond the 1,024 counted%n",
            details.result().destinations().size(), details.result().otherDestinationSockets());
        System.out.printf(
            "  %-44s %8.1f ms  (%.1fx netlink)%n",
            "/proc/net/tcp + tcp6 streaming parse", procMedian, procMedian / netlinkMedian);
        System.out.printf(
            "  %-44s %8.1f ms  (%.1fx netlink)%n",
            "ss -tan state time-wait | wc -l", ssMedian, ssMedian / netlinkMedian);
        System.out.printf("  netlink per socket: %.2f us%n", netlinkMedian * 1000 / byNetlink);

        System.out.printf("%nHeap allocated per count (bytes):%n");
        System.out.printf(
            "  %-12s %12s %12s %16s%n", "sockets", "netlink", "/proc", "netlink+details");
        System.out.printf(
            "  %-12s %,12d %,12d %,16d%n",
            "100",
            small.call(() -> allocated(netlinkSmall::count)),
            small.call(() -> allocated(procSmall::count)),
            small.call(() -> allocated(smallWithDetails)));
        System.out.printf(
            "  %-12s %,12d %,12d %,16d%n",
            String.format("%,d", byNetlink),
            big.call(() -> allocated(netlink::count)),
            big.call(() -> allocated(proc::count)),
            big.call(() -> allocated(withDetails)));
        System.out.printf(
            "  (the details' table is fixed, %,d destinations: what they allocate is the list of"
                + " destinations they return)%n",
            1024);
        spreadOver(spread, details);
      }
    }
  }

  /** The same count where the sockets go to 2,048 destinations: twice what the table keeps. */
  private static void spreadOver(NetworkNamespace spread, TeardownDetails details)
      throws Exception {
    try (NetlinkStateCounter netlink = spread.call(NetlinkStateCounter::open)) {
      LocalPorts ports =
          spread.call(() -> LocalPorts.read(spread.procRoot().resolve("sys/net/ipv4")));
      Callable<Object> withDetails =
          () -> {
            details.reset(ports);
            netlink.count(details);
            return details.result();
          };
      for (int i = 0; i < 200; i++) {
        spread.call(netlink::count);
        spread.call(withDetails);
      }
      double[] netlinkMs = new double[ROUNDS];
      double[] detailsMs = new double[ROUNDS];
      for (int round = 0; round < ROUNDS; round++) {
        netlinkMs[round] = spread.call(() -> millis(netlink::count));
        detailsMs[round] = spread.call(() -> millis(withDetails));
      }
      long sockets = spread.call(() -> netlink.count().timeWait());
      double netlinkMedian = median(netlinkMs);
      double detailsMedian = median(detailsMs);
      System.out.printf(
          "%nThe same %,d TIME_WAIT sockets toward 2,048 destinations, median of %d rounds:%n",
          sockets, ROUNDS);
      System.out.printf("  %-44s %8.1f ms%n", "netlink inet_diag (FFM)", netlinkMedian);
      System.out.printf(
          "  %-44s %8.1f ms  (%.2fx netlink; advice's goal: at most 1.2x)%n",
          "netlink + advice details, same dump", detailsMedian, detailsMedian / netlinkMedian);
      System.out.printf(
          "  destinations: %,d named (the busiest of 1,024 counted exactly), %,d sockets beyond the"
              + " 1,024 (truncated: %s)%n",
          details.result().destinations().size(),
          details.result().otherDestinationSockets(),
          details.result().destinationsTruncated());
      System.out.printf(
          "  heap per count: netlink %,d bytes, netlink+details %,d bytes%n",
          spread.call(() -> allocated(netlink::count)), spread.call(() -> allocated(withDetails)));
    }
  }

  private static double millis(Callable<?> task) throws Exception {
    long start = System.nanoTime();
    task.call();
    return (System.nanoTime() - start) / 1e6;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * Heap bytes the calling thread allocates for one count (after warm-up), the minimum of 20
   * counts.
   */
  private static long allocated(Callable<?> count) throws Exception {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      long before = threads.getCurrentThreadAllocatedBytes();
      count.call();
      least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
    }
    return least;
  }
}
