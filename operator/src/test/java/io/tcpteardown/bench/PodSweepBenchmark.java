package io.tcpteardown.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.agent.count.ProcNetTcpCounter;
import io.tcpteardown.agent.pods.CpuBudget;
import io.tcpteardown.agent.pods.NamespaceCounter;
import io.tcpteardown.agent.pods.NamespaceCounts;
import io.tcpteardown.agent.pods.NamespaceFacts;
import io.tcpteardown.agent.pods.NamespaceScanner;
import io.tcpteardown.agent.pods.NetworkNamespaceRef;
import io.tcpteardown.agent.pods.SweepPacer;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.Sockets;
import java.lang.management.ManagementFactory;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * One sweep of every pod's network namespace, as the agent does it (setns into each, one netlink
 * dump, the namespace's own netstat; its sysctls, port range and tcp_ehash_entries kept between
 * sweeps, and beside it a sweep that reads them too, as one in twenty at the minimum interval
 * does), in two cases side by side: pods whose namespaces share the host's TCP hash table (every
 * dump walks the node's whole table: the node's sockets are part of every pod's cost), and pods
 * whose namespaces have tables of their own ({@code net.ipv4.tcp_child_ehash_entries} set in the
 * parent that creates them: here a throwaway namespace standing for the node's, never this
 * machine's own). Beside them, in the same run: the floor (a C program doing setns and one netlink
 * dump per namespace, nothing else), what a user does today ({@code nsenter --net=... ss -tan state
 * time-wait | wc -l} per namespace) and /proc/PID/net/tcp and tcp6 per pod (cAdvisor's
 * per-container TCP stats). 100 pods of each case with 500 TIME_WAIT and 20 CLOSE_WAIT each, and
 * 50,000 TIME_WAIT in the namespace standing for the node's. Each case is measured right after its
 * TIME_WAIT is made (it lasts 60 s). Then each case's sweeps paced by the agent's CPU budget for
 * {@code bench.budgetMinutes} (default 1; 0 skips), with the CPU they really used. Not part of
 * verify: {@code ./mvnw -B -o test -Dtest=PodSweepBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false} (root, Linux 6.1+ for the own tables, gcc for the
 * floor).
 */
class PodSweepBenchmark {
  private static final int PODS = Integer.getInteger("bench.pods", 100);
  private static final int POD_TIME_WAIT = Integer.getInteger("bench.podTimeWait", 500);
  private static final int POD_CLOSE_WAIT = Integer.getInteger("bench.podCloseWait", 20);
  private static final int NODE_TIME_WAIT = Integer.getInteger("bench.nodeTimeWait", 50_000);
  private static final int CHILD_EHASH_ENTRIES =
      Integer.getInteger("bench.childEhashEntries", 4096);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final double BUDGET =
      Double.parseDouble(System.getProperty("bench.budget", "0.02"));
  private static final Duration MIN_INTERVAL =
      Duration.ofSeconds(Integer.getInteger("bench.minIntervalSeconds", 15));
  private static final double BUDGET_MINUTES =
      Double.parseDouble(System.getProperty("bench.budgetMinutes", "1"));
  private static final Path FLOOR_SOURCE = Path.of("src/test/resources/bench/netlink-floor.c");
  private static final Path FLOOR = Path.of("target/bench/netlink-floor");

  /** The pods of one case: their namespaces, processes and the agent's references to them. */
  private record Pods(
      String name,
      List<NetworkNamespace> namespaces,
      List<SimulatedPod> processes,
      List<NetworkNamespaceRef> refs,
      EhashTable table) {}

  /** The median figures of one case. */
  private record Figures(
      double agentMs,
      double agentCpuMs,
      double readingMs,
      double readingCpuMs,
      long heapPerSweep,
      double floorMs,
      double floorDumpMs,
      double floorCpuMs,
      double ssMs,
      double procMs) {}

  @Test
  void sweepEveryPod() throws Exception {
    List<AutoCloseable> resources = new ArrayList<>();
    List<SocketChannel> held = new ArrayList<>();
    try {
      long start = System.nanoTime();
      NetworkNamespace node = NetworkNamespace.create("bnode");
      resources.add(node);
      boolean ownTables = Files.exists(Path.of("/proc/sys/net/ipv4/tcp_child_ehash_entries"));
      if (ownTables) {
        // Inside the throwaway namespace standing for the node's only: pods created from it get
        // tables of their own.
        node.setSysctl("net.ipv4.tcp_child_ehash_entries", String.valueOf(CHILD_EHASH_ENTRIES));
      }
      List<Pods> cases = new ArrayList<>();
      cases.add(pods("shared table", () -> NetworkNamespace.create("bpod"), resources, held));
      if (ownTables) {
        cases.add(
            pods(
                "own tables (" + CHILD_EHASH_ENTRIES + ")",
                () -> NetworkNamespace.createChild(node, "bown"),
                resources,
                held));
      } else {
        System.out.println(
            "no tcp_child_ehash_entries (Linux before 6.1): own tables not measured");
      }
      cases = withRefs(cases);
      assertThat(cases.getFirst().table().own()).isFalse();
      if (ownTables) {
        assertThat(cases.get(1).table()).isEqualTo(new EhashTable(true, CHILD_EHASH_ENTRIES));
      }
      System.out.printf(
          "made %d pod namespaces per case (%d CLOSE_WAIT each) in %.1f s%n",
          PODS, POD_CLOSE_WAIT, (System.nanoTime() - start) / 1e9);
      boolean floor = compileFloor();

      // The agent's sweeps keep what rarely changes (NamespaceFacts); one in twenty at the
      // minimum interval reads it again, as every sweep of `reading` does.
      try (NamespaceCounter sweeper = new NamespaceCounter(Path.of("/proc"), Clock.systemUTC());
          NamespaceCounter reading =
              new NamespaceCounter(
                  Path.of("/proc"), Clock.systemUTC(), new NamespaceFacts(Duration.ZERO))) {
        // The JIT warmed on empty pods (their TIME_WAIT is made only just before their case runs).
        for (int i = 0; i < 50; i++) {
          agentSweep(sweeper, cases.getLast().refs());
          agentSweep(reading, cases.getLast().refs());
        }
        List<Figures> figures = new ArrayList<>();
        for (Pods pods : cases) {
          figures.add(
              measure(pods, node, sweeper, reading, floor, pods == cases.getFirst(), resources));
        }
        print(cases, figures, floor);
        for (Pods pods : cases) {
          paced(sweeper, pods, node);
        }
      }
    } finally {
      Sockets.closeAll(held);
      for (int i = resources.size() - 1; i >= 0; i--) {
        resources.get(i).close();
      }
    }
  }

  private static Pods pods(
      String name,
      Supplier<NetworkNamespace> create,
      List<AutoCloseable> resources,
      List<SocketChannel> held)
      throws Exception {
    List<NetworkNamespace> namespaces = new ArrayList<>();
    List<SimulatedPod> processes = new ArrayList<>();
    for (int i = 0; i < PODS; i++) {
      NetworkNamespace namespace = create.get();
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
      processes.add(pod);
    }
    EhashTable table =
        namespaces.getFirst().call(() -> EhashTable.read(namespaces.getFirst().procRoot()));
    return new Pods(name, namespaces, processes, List.of(), table);
  }

  /** The agent's references to each case's pods, in the order of their namespaces. */
  private static List<Pods> withRefs(List<Pods> cases) throws Exception {
    NamespaceScanner scanner = new NamespaceScanner(Path.of("/proc"));
    Map<String, NetworkNamespaceRef> byUid = new HashMap<>();
    for (NetworkNamespaceRef ref : scanner.scan(scanner.ownNamespace().orElseThrow())) {
      ref.pod().ifPresent(p -> byUid.put(p.podUid(), ref));
    }
    List<Pods> result = new ArrayList<>();
    for (Pods pods : cases) {
      List<NetworkNamespaceRef> refs =
          pods.processes().stream().map(p -> byUid.get(p.uid())).toList();
      assertThat(refs).doesNotContainNull().hasSize(PODS);
      result.add(new Pods(pods.name(), pods.namespaces(), pods.processes(), refs, pods.table()));
    }
    return result;
  }

  /**
   * Makes the case's TIME_WAIT and the node's, then times every way right away, ROUNDS times each,
   * and checks that each way saw (nearly) the whole population in its first round.
   */
  private static Figures measure(
      Pods pods,
      NetworkNamespace node,
      NamespaceCounter sweeper,
      NamespaceCounter reading,
      boolean floor,
      boolean perNamespace,
      List<AutoCloseable> resources)
      throws Exception {
    long made = System.nanoTime();
    makeTimeWait(pods, node);
    long ready = System.nanoTime();
    System.out.printf(
        "%n%s: %,d TIME_WAIT in the node's namespace and %d in each pod made in %.1f s (they"
            + " last 60 s)%n",
        pods.name(), NODE_TIME_WAIT, POD_TIME_WAIT, (ready - made) / 1e9);
    var cpu = ManagementFactory.getThreadMXBean();
    double[] agentMs = new double[ROUNDS];
    double[] agentCpuMs = new double[ROUNDS];
    double[] readingMs = new double[ROUNDS];
    double[] readingCpuMs = new double[ROUNDS];
    double[] floorMs = new double[ROUNDS];
    double[] floorDumpMs = new double[ROUNDS];
    double[] floorCpuMs = new double[ROUNDS];
    double[] ssMs = new double[ROUNDS];
    double[] procMs = new double[ROUNDS];
    long[] agentSeen = new long[ROUNDS];
    long floorSeen = 0;
    // The agent and the floor in turns, so that both meet the same load of the machine.
    for (int round = 0; round < ROUNDS; round++) {
      long cpuBefore = cpu.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos();
      long wallBefore = System.nanoTime();
      agentSeen[round] = agentSweep(sweeper, pods.refs());
      agentMs[round] = (System.nanoTime() - wallBefore) / 1e6;
      agentCpuMs[round] =
          (cpu.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos() - cpuBefore) / 1e6;
      cpuBefore = cpu.getCurrentThreadCpuTime() + reading.namespaceThreadCpuNanos();
      wallBefore = System.nanoTime();
      agentSweep(reading, pods.refs());
      readingMs[round] = (System.nanoTime() - wallBefore) / 1e6;
      readingCpuMs[round] =
          (cpu.getCurrentThreadCpuTime() + reading.namespaceThreadCpuNanos() - cpuBefore) / 1e6;
      if (floor) {
        long[] floorRound = floorRound(pods);
        floorMs[round] = floorRound[0] / 1e6;
        floorDumpMs[round] = floorRound[1] / 1e6;
        floorCpuMs[round] = floorRound[3] / 1e6;
        floorSeen = round == 0 ? floorRound[2] : floorSeen;
      }
    }
    // While the populations are whole: ss and /proc take longer than all the rest.
    long heap = heapPerSweep(sweeper, pods);
    if (perNamespace) {
      perNamespaceHeap(sweeper, node, pods, resources);
    }
    long ssSeen = 0;
    long procSeen = 0;
    for (int round = 0; round < ROUNDS; round++) {
      long wallBefore = System.nanoTime();
      long seen = nsenterSs(pods);
      ssMs[round] = (System.nanoTime() - wallBefore) / 1e6;
      ssSeen = round == 0 ? seen : ssSeen;
    }
    for (int round = 0; round < ROUNDS; round++) {
      long wallBefore = System.nanoTime();
      long seen = procPerPod(pods);
      procMs[round] = (System.nanoTime() - wallBefore) / 1e6;
      procSeen = round == 0 ? seen : procSeen;
    }
    long expected = (long) PODS * POD_TIME_WAIT;
    System.out.printf(
        "counted TIME_WAIT in the pods (first round): agent %,d, floor %,d, nsenter ss %,d, /proc"
            + " %,d (made %,d); the last round ended %.0f s after they were made%n",
        agentSeen[0], floorSeen, ssSeen, procSeen, expected, (System.nanoTime() - made) / 1e9);
    List<Long> seen = new ArrayList<>(List.of(agentSeen[0], ssSeen, procSeen));
    if (floor) {
      seen.add(floorSeen);
    }
    // The first TIME_WAIT sockets may reach their 60 s while the last are made on a loaded
    // machine: each way must see (nearly) the whole population.
    assertThat(seen).allSatisfy(n -> assertThat(n).isBetween(expected * 99 / 100, expected));
    return new Figures(
        median(agentMs),
        median(agentCpuMs),
        median(readingMs),
        median(readingCpuMs),
        heap,
        median(floorMs),
        median(floorDumpMs),
        median(floorCpuMs),
        median(ssMs),
        median(procMs));
  }

  private static void makeTimeWait(Pods pods, NetworkNamespace node) throws Exception {
    TimeWaitPopulation.create(node, NODE_TIME_WAIT);
    for (NetworkNamespace namespace : pods.namespaces()) {
      Sockets.populate(namespace, "127.0.0.1", POD_TIME_WAIT, 0, 0);
    }
  }

  /**
   * The agent's count of the namespaces, as its sweep does it after the scan; the TIME_WAIT seen.
   */
  private static long agentSweep(NamespaceCounter sweeper, List<NetworkNamespaceRef> refs)
      throws java.io.IOException {
    List<NamespaceCounts> counted = sweeper.count(refs);
    assertThat(counted).hasSize(refs.size());
    return counted.stream().mapToLong(c -> c.states().timeWait()).sum();
  }

  private static long nsenterSs(Pods pods) throws Exception {
    long timeWait = 0;
    for (NetworkNamespace namespace : pods.namespaces()) {
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
  }

  private static long procPerPod(Pods pods) throws Exception {
    long timeWait = 0;
    for (SimulatedPod pod : pods.processes()) {
      timeWait += new ProcNetTcpCounter(Path.of("/proc/" + pod.pid())).count().timeWait();
    }
    return timeWait;
  }

  private static boolean compileFloor() throws Exception {
    try {
      Files.createDirectories(FLOOR.getParent());
      NetworkNamespace.run("gcc", "-O2", "-o", FLOOR.toString(), FLOOR_SOURCE.toString());
      return true;
    } catch (java.io.IOException e) {
      System.out.println("the floor is not measured: " + e.getMessage());
      return false;
    }
  }

  /** One round of the C floor: wall ns, ns in socket + dump + close, TIME_WAIT seen, CPU ns. */
  private static long[] floorRound(Pods pods) throws Exception {
    List<String> command = new ArrayList<>(List.of(FLOOR.toString(), "1"));
    pods.processes().forEach(p -> command.add(String.valueOf(p.pid())));
    String[] words = NetworkNamespace.run(command.toArray(String[]::new)).strip().split(" ");
    return new long[] {
      Long.parseLong(words[3]),
      Long.parseLong(words[5]),
      Long.parseLong(words[7]),
      Long.parseLong(words[11])
    };
  }

  /** The least heap all threads allocated over one sweep of the case's pods, of five. */
  private static long heapPerSweep(NamespaceCounter sweeper, Pods pods) throws java.io.IOException {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long before = threads.getTotalThreadAllocatedBytes();
      agentSweep(sweeper, pods.refs());
      least = Math.min(least, threads.getTotalThreadAllocatedBytes() - before);
    }
    return least;
  }

  /**
   * Heap per namespace at a pod's population and at the node's, while both are (nearly) whole: the
   * dump is read in place, so both are the same.
   */
  private static void perNamespaceHeap(
      NamespaceCounter sweeper, NetworkNamespace node, Pods pods, List<AutoCloseable> resources)
      throws Exception {
    String uid = UUID.randomUUID().toString();
    SimulatedPod inNode =
        SimulatedPod.start(
            node,
            "tcp-teardown-bench-" + uid.substring(0, 8),
            uid,
            SimulatedPod.Driver.CGROUPFS,
            SimulatedPod.Qos.BURSTABLE);
    resources.add(inNode);
    NamespaceScanner scanner = new NamespaceScanner(Path.of("/proc"));
    NetworkNamespaceRef big =
        scanner.scan(scanner.ownNamespace().orElseThrow()).stream()
            .filter(n -> n.pod().map(p -> p.podUid().equals(uid)).orElse(false))
            .findFirst()
            .orElseThrow();
    NetworkNamespaceRef small = pods.refs().getFirst();
    System.out.printf(
        "Heap per namespace: %,d bytes at %,d TIME_WAIT, %,d bytes at %,d TIME_WAIT (the dump is"
            + " read in place)%n",
        leastAllocated(sweeper, small),
        sweeper.count(small).orElseThrow().states().timeWait(),
        leastAllocated(sweeper, big),
        sweeper.count(big).orElseThrow().states().timeWait());
  }

  private static void print(List<Pods> cases, List<Figures> measured, boolean floor) {
    Map<Pods, Figures> figures = new HashMap<>();
    for (int i = 0; i < cases.size(); i++) {
      figures.put(cases.get(i), measured.get(i));
    }
    System.out.printf(
        "%nOne sweep of %d pod namespaces (%d TIME_WAIT and %d CLOSE_WAIT each; %,d TIME_WAIT in"
            + " the node's namespace), median of %d rounds:%n",
        PODS, POD_TIME_WAIT, POD_CLOSE_WAIT, NODE_TIME_WAIT, ROUNDS);
    StringBuilder header = new StringBuilder(String.format("  %-50s", ""));
    cases.forEach(c -> header.append(String.format(" %20s", c.name())));
    System.out.println(header);
    row(cases, "agent: a sweep (setns, dump, netstat)", c -> ms(figures.get(c).agentMs()));
    row(cases, "  per pod", c -> ms(figures.get(c).agentMs() / PODS));
    row(cases, "  agent CPU per sweep", c -> ms(figures.get(c).agentCpuMs()));
    row(
        cases,
        "  a sweep that reads sysctls, ports, table too",
        c -> ms(figures.get(c).readingMs()));
    row(
        cases,
        String.format("  on average at the minimum interval (1 in %d)", readingEvery()),
        c -> ms(averageMs(figures.get(c))));
    row(
        cases,
        "  heap allocated per sweep (all threads)",
        c -> String.format("%,d B", figures.get(c).heapPerSweep()));
    row(
        cases,
        String.format(
            "  sweeps per minute at %.0f%% (minimum interval %d s)",
            BUDGET * 100, MIN_INTERVAL.toSeconds()),
        c -> perMinute(figures.get(c), new SweepPacer(BUDGET, MIN_INTERVAL)));
    row(
        cases,
        String.format("  sweeps per minute at %.0f%% (the budget alone)", BUDGET * 100),
        c -> perMinute(figures.get(c), new SweepPacer(BUDGET, Duration.ZERO)));
    if (floor) {
      row(
          cases,
          "floor: setns + one C netlink dump per namespace",
          c -> ms(figures.get(c).floorMs()));
      row(
          cases,
          "  per pod dump (socket, dump, close)",
          c -> ms(figures.get(c).floorDumpMs() / PODS));
      row(cases, "  floor CPU per sweep", c -> ms(figures.get(c).floorCpuMs()));
      row(
          cases,
          "  agent / floor (time)",
          c -> String.format("%.2fx", figures.get(c).agentMs() / figures.get(c).floorMs()));
      row(
          cases,
          "  agent / floor (CPU)",
          c -> String.format("%.2fx", figures.get(c).agentCpuMs() / figures.get(c).floorCpuMs()));
      row(
          cases,
          "  agent on average / floor (time)",
          c -> String.format("%.2fx", averageMs(figures.get(c)) / figures.get(c).floorMs()));
      row(
          cases,
          "  reading sweep / floor (time)",
          c -> String.format("%.2fx", figures.get(c).readingMs() / figures.get(c).floorMs()));
    }
    row(cases, "nsenter --net=NS ss -tan state time-wait | wc -l", c -> ms(figures.get(c).ssMs()));
    row(
        cases,
        "/proc/PID/net/tcp + tcp6 per pod (cAdvisor's way)",
        c -> ms(figures.get(c).procMs()));
    if (cases.size() == 2) {
      Figures shared = figures.get(cases.getFirst());
      Figures own = figures.get(cases.getLast());
      System.out.printf(
          "  agent sweep, shared / own tables: %.1fx; floor, shared / own: %.1fx%n",
          shared.agentMs() / own.agentMs(), shared.floorMs() / own.floorMs());
    }
  }

  /** How many sweeps at the minimum interval share one read of the facts. */
  private static long readingEvery() {
    return Math.max(1, NamespaceFacts.REFRESH.toSeconds() / Math.max(1, MIN_INTERVAL.toSeconds()));
  }

  private static double averageMs(Figures figures) {
    long every = readingEvery();
    return ((every - 1) * figures.agentMs() + figures.readingMs()) / every;
  }

  private interface Cell {
    String of(Pods pods);
  }

  private static void row(List<Pods> cases, String label, Cell cell) {
    StringBuilder line = new StringBuilder(String.format("  %-50s", label));
    cases.forEach(c -> line.append(String.format(" %20s", cell.of(c))));
    System.out.println(line);
  }

  private static String ms(double millis) {
    return String.format("%,.2f ms", millis);
  }

  /** Sweeps alone on the budget, in the steady state: one every wall + pause. */
  private static String perMinute(Figures figures, SweepPacer pacer) {
    Duration cpu = Duration.ofNanos((long) (figures.agentCpuMs() * 1e6));
    Duration wall = Duration.ofNanos((long) (figures.agentMs() * 1e6));
    Duration interval = wall.plus(pacer.pauseAfter(cpu, wall));
    return String.format("%.2f", 60e9 / interval.toNanos());
  }

  /**
   * The case's sweeps paced by the agent's CPU budget for the configured minutes, TIME_WAIT made
   * again every 50 s by another thread; prints how many ran per minute and the CPU share the
   * sweeping threads used (the caller's and the namespace thread's, not the one that makes
   * sockets).
   */
  private static void paced(NamespaceCounter sweeper, Pods pods, NetworkNamespace node)
      throws Exception {
    if (BUDGET_MINUTES <= 0) {
      return;
    }
    var threads = ManagementFactory.getThreadMXBean();
    Callable<Void> timeWait =
        () -> {
          makeTimeWait(pods, node);
          return null;
        };
    timeWait.call();
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
      SweepPacer pacer = new SweepPacer(BUDGET, MIN_INTERVAL);
      CpuBudget budget = CpuBudget.of(pacer);
      long end = System.nanoTime() + (long) (BUDGET_MINUTES * 60e9);
      long cpuStart = threads.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos();
      long wallStart = System.nanoTime();
      int sweeps = 0;
      while (System.nanoTime() < end) {
        long cpuBefore = threads.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos();
        long wallBefore = System.nanoTime();
        agentSweep(sweeper, pods.refs());
        sweeps++;
        long cpu =
            threads.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos() - cpuBefore;
        budget.charge(cpu, wallBefore);
        // The whole pause, even past the end: the share is over sweeps and the pauses they earned.
        Thread.sleep(pacer.pauseOn(budget).toMillis());
      }
      long wall = System.nanoTime() - wallStart;
      double share =
          (threads.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos() - cpuStart)
              / (double) wall;
      System.out.printf(
          "%s, paced by a budget of %.1f%% of a core (minimum interval %d s) for %.1f minutes: %d"
              + " sweeps in %.1f minutes with their pauses (%.2f per minute), the sweeping threads"
              + " used %.2f%% of a core%n",
          pods.name(),
          BUDGET * 100,
          MIN_INTERVAL.toSeconds(),
          BUDGET_MINUTES,
          sweeps,
          wall / 60e9,
          sweeps / (wall / 60e9),
          share * 100);
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

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
