package io.tcpteardown.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.count.ProcNetTcpCounter;
import io.tcpteardown.agent.pods.NamespaceCounter;
import io.tcpteardown.agent.pods.NamespaceCounts;
import io.tcpteardown.agent.pods.NamespaceScanner;
import io.tcpteardown.agent.pods.NetworkNamespaceRef;
import io.tcpteardown.agent.pods.SweepPacer;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.Sockets;
import java.lang.management.ManagementFactory;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * One sweep of every pod's network namespace, as the agent does it (setns into each, one netlink
 * dump, the namespace's own netstat and tcp_max_tw_buckets), side by side with what a user does
 * today: {@code nsenter --net=... ss -tan state time-wait | wc -l} per namespace, and reading
 * /proc/PID/net/tcp and tcp6 per pod (cAdvisor's per-container TCP stats). 100 pods with 500
 * TIME_WAIT and 20 CLOSE_WAIT each, and a namespace standing for the node's with 50,000 TIME_WAIT:
 * every dump walks the shared hash table, so the node's sockets are part of every pod's cost. Then
 * the sweep paced by the CPU budget for {@code bench.budgetMinutes} (default 10), with the CPU it
 * really used. Not part of verify: {@code ./mvnw -B -o test -Dtest=PodSweepBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false} (root).
 */
class PodSweepBenchmark {
  private static final int PODS = Integer.getInteger("bench.pods", 100);
  private static final int POD_TIME_WAIT = Integer.getInteger("bench.podTimeWait", 500);
  private static final int POD_CLOSE_WAIT = Integer.getInteger("bench.podCloseWait", 20);
  private static final int NODE_TIME_WAIT = Integer.getInteger("bench.nodeTimeWait", 50_000);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final double BUDGET =
      Double.parseDouble(System.getProperty("bench.budget", "0.02"));
  private static final double BUDGET_MINUTES =
      Double.parseDouble(System.getProperty("bench.budgetMinutes", "10"));

  @Test
  void sweepEveryPod() throws Exception {
    List<AutoCloseable> resources = new ArrayList<>();
    List<SocketChannel> held = new ArrayList<>();
    try {
      long start = System.nanoTime();
      NetworkNamespace node = NetworkNamespace.create("bnode");
      resources.add(node);
      List<NetworkNamespace> namespaces = new ArrayList<>();
      List<SimulatedPod> pods = new ArrayList<>();
      for (int i = 0; i < PODS; i++) {
        NetworkNamespace namespace = NetworkNamespace.create("bpod");
        resources.add(namespace);
        namespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
        held.addAll(Sockets.timeWaitAndCloseWait(namespace, 0, POD_CLOSE_WAIT));
        String uid = UUID.randomUUID().toString();
        SimulatedPod pod =
            SimulatedPod.start(
                namespace,
                "tcp-teardown-bench-" + uid.substring(0, 8),
                uid,
                SimulatedPod.Driver.CGROUPFS,
                SimulatedPod.Qos.BURSTABLE);
        resources.add(pod);
        namespaces.add(namespace);
        pods.add(pod);
      }
      // TIME_WAIT lasts 60 s: made last, just before the rounds, and again during the budget run.
      Callable<Void> makeTimeWait =
          () -> {
            TimeWaitPopulation.create(node, NODE_TIME_WAIT);
            for (NetworkNamespace namespace : namespaces) {
              Sockets.populate(namespace, "127.0.0.1", POD_TIME_WAIT, 0, 0);
            }
            return null;
          };
      long populated = System.nanoTime();
      makeTimeWait.call();
      System.out.printf(
          "TIME_WAIT made in %.1f s (it lasts 60 s)%n", (System.nanoTime() - populated) / 1e9);
      System.out.printf(
          "made %d pod namespaces (%d TIME_WAIT, %d CLOSE_WAIT each) and %,d TIME_WAIT in the"
              + " node's namespace in %.1f s%n",
          PODS, POD_TIME_WAIT, POD_CLOSE_WAIT, NODE_TIME_WAIT, (System.nanoTime() - start) / 1e9);

      NamespaceScanner scanner = new NamespaceScanner(Path.of("/proc"));
      Set<String> uids = new HashSet<>(pods.stream().map(SimulatedPod::uid).toList());
      List<NetworkNamespaceRef> refs =
          scanner.scan(scanner.ownNamespace().orElseThrow()).stream()
              .filter(n -> n.pod().map(p -> uids.contains(p.podUid())).orElse(false))
              .toList();
      assertThat(refs).hasSize(PODS);

      try (NamespaceCounter sweeper = new NamespaceCounter(Path.of("/proc"), Clock.systemUTC())) {
        Callable<Long> agentSweep =
            () -> {
              long timeWait = 0;
              for (NetworkNamespaceRef ref : refs) {
                NamespaceCounts counts = sweeper.count(ref).orElseThrow();
                timeWait += counts.states().timeWait();
              }
              return timeWait;
            };
        Callable<Long> nsenterSs =
            () -> {
              long timeWait = 0;
              for (NetworkNamespace namespace : namespaces) {
                timeWait +=
                    Long.parseLong(
                            NetworkNamespace.run(
                                    "sh",
                                    "-c",
                                    "nsenter --net=/var/run/netns/"
                                        + namespace.name()
                                        + " ss -tan state time-wait | wc -l")
                                .strip())
                        - 1;
              }
              return timeWait;
            };
        Callable<Long> procPerPod =
            () -> {
              long timeWait = 0;
              for (SimulatedPod pod : pods) {
                timeWait += new ProcNetTcpCounter(Path.of("/proc/" + pod.pid())).count().timeWait();
              }
              return timeWait;
            };
        long expected = (long) PODS * POD_TIME_WAIT;
        // The first TIME_WAIT sockets may reach their 60 s while the last are made on a loaded
        // machine: each way must see (nearly) the whole population.
        long byAgent = agentSweep.call();
        long bySs = nsenterSs.call();
        long byProc = procPerPod.call();
        System.out.printf(
            "counted TIME_WAIT in the pods: agent %,d, nsenter ss %,d, /proc %,d (made %,d)%n",
            byAgent, bySs, byProc, expected);
        assertThat(List.of(byAgent, bySs, byProc))
            .allSatisfy(n -> assertThat(n).isBetween(expected * 99 / 100, expected));
        // Heap per namespace at 500 and at 50,000 TIME_WAIT, while both populations are whole.
        long leastSmall = leastAllocated(sweeper, refs.getFirst());
        String nodeUid = UUID.randomUUID().toString();
        SimulatedPod inNode =
            SimulatedPod.start(
                node,
                "tcp-teardown-bench-" + nodeUid.substring(0, 8),
                nodeUid,
                SimulatedPod.Driver.CGROUPFS,
                SimulatedPod.Qos.BURSTABLE);
        resources.add(inNode);
        NetworkNamespaceRef big =
            scanner.scan(scanner.ownNamespace().orElseThrow()).stream()
                .filter(n -> n.pod().map(p -> p.podUid().equals(nodeUid)).orElse(false))
                .findFirst()
                .orElseThrow();
        long bigTimeWait = sweeper.count(big).orElseThrow().states().timeWait();
        long leastBig = leastAllocated(sweeper, big);
        for (int i = 0; i < 5; i++) {
          agentSweep.call();
          procPerPod.call();
        }

        double[] agentMs = new double[ROUNDS];
        double[] agentCpuMs = new double[ROUNDS];
        double[] ssMs = new double[ROUNDS];
        double[] procMs = new double[ROUNDS];
        var cpu = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < ROUNDS; round++) {
          long cpuBefore = cpu.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos();
          agentMs[round] = millis(agentSweep);
          agentCpuMs[round] =
              (cpu.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos() - cpuBefore) / 1e6;
          ssMs[round] = millis(nsenterSs);
          procMs[round] = millis(procPerPod);
        }
        double agent = median(agentMs);
        double ss = median(ssMs);
        double proc = median(procMs);
        System.out.printf(
            "%nOne sweep of %d pod namespaces (%,d sockets in the node's namespace),"
                + " median of %d rounds:%n",
            PODS, NODE_TIME_WAIT, ROUNDS);
        System.out.printf(
            "  %-52s %8.1f ms  (%.2f ms per pod; agent CPU %.1f ms per sweep)%n",
            "agent: setns + netlink dump + netstat + sysctl",
            agent,
            agent / PODS,
            median(agentCpuMs));
        System.out.printf(
            "  %-52s %8.1f ms  (%.1fx the agent)%n",
            "nsenter --net=NS ss -tan state time-wait | wc -l", ss, ss / agent);
        System.out.printf(
            "  %-52s %8.1f ms  (%.1fx the agent)%n",
            "/proc/PID/net/tcp + tcp6 per pod (cAdvisor's way)", proc, proc / agent);

        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
          long before = threads.getTotalThreadAllocatedBytes();
          agentSweep.call();
          least = Math.min(least, threads.getTotalThreadAllocatedBytes() - before);
        }
        System.out.printf(
            "%nHeap allocated (all threads): %,d bytes per sweep of %d pods; per namespace %,d"
                + " bytes at %d TIME_WAIT and %,d bytes at %,d TIME_WAIT (the dump is read in"
                + " place)%n",
            least, PODS, leastSmall, POD_TIME_WAIT, leastBig, bigTimeWait);

        budget(sweeper, agentSweep, makeTimeWait);
      }
    } finally {
      Sockets.closeAll(held);
      for (int i = resources.size() - 1; i >= 0; i--) {
        resources.get(i).close();
      }
    }
  }

  /**
   * Sweeps paced by the CPU budget for the configured minutes, TIME_WAIT made again every 50 s by
   * another thread; prints the CPU share the sweeping threads used (the caller's and the namespace
   * thread's, not the thread that makes sockets).
   */
  private static void budget(
      NamespaceCounter sweeper, Callable<Long> agentSweep, Callable<Void> timeWait)
      throws Exception {
    var threads = ManagementFactory.getThreadMXBean();
    Thread refresher =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try {
                    while (!Thread.currentThread().isInterrupted()) {
                      Thread.sleep(50_000);
                      timeWait.call();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    try {
      SweepPacer pacer = new SweepPacer(BUDGET, Duration.ofSeconds(1));
      long end = System.nanoTime() + (long) (BUDGET_MINUTES * 60e9);
      long cpuStart = threads.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos();
      long wallStart = System.nanoTime();
      int sweeps = 0;
      while (System.nanoTime() < end) {
        long cpuBefore = threads.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos();
        long wallBefore = System.nanoTime();
        agentSweep.call();
        sweeps++;
        long cpu =
            threads.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos() - cpuBefore;
        Duration pause =
            pacer.pauseAfter(
                Duration.ofNanos(cpu), Duration.ofNanos(System.nanoTime() - wallBefore));
        // The whole pause, even past the end: the share is over sweeps and the pauses they earned.
        Thread.sleep(pause.toMillis());
      }
      double share =
          (threads.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos() - cpuStart)
              / (double) (System.nanoTime() - wallStart);
      System.out.printf(
          "%nPaced by a budget of %.1f%% of a core for %.1f minutes: %d sweeps, the sweeping"
              + " threads used %.2f%% of a core%n",
          BUDGET * 100, BUDGET_MINUTES, sweeps, share * 100);
    } finally {
      refresher.interrupt();
    }
  }

  private static long leastAllocated(NamespaceCounter sweeper, NetworkNamespaceRef namespace) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      long before = threads.getTotalThreadAllocatedBytes();
      sweeper.count(namespace).orElseThrow();
      least = Math.min(least, threads.getTotalThreadAllocatedBytes() - before);
    }
    return least;
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
}
