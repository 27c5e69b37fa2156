package io.tcpteardown.testsupport;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.tcpteardown.agent.AgentState;
import io.tcpteardown.agent.AgentStatusComposer;
import io.tcpteardown.agent.LatestCount;
import io.tcpteardown.agent.NodeObservation;
import io.tcpteardown.agent.StatusPublisher;
import io.tcpteardown.agent.pods.PodObserver;
import io.tcpteardown.agent.pods.PodsSummary;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Node agents for many nodes in one process, talking to the API server as the real agent does: each
 * answers a spec change of its TcpTeardownNode at once with the values "applied", and otherwise
 * reports one report interval (±10% jitter) after its last write of any kind; each status is
 * composed by the agent's own {@link AgentStatusComposer} (conditions, originals, counts, pods) and
 * written as the real agent writes it ({@link StatusPublisher}: the whole status in one JSON patch
 * of the status subresource, its field manager). Only the kernel is simulated: TIME_WAIT sits
 * around {@code timeWaitShare} of the node's tcp_max_tw_buckets (so nodes go in and out of
 * pressure), and {@code pods} pod namespaces are listed, as a sweep lists them.
 */
public final class SimulatedAgents implements AutoCloseable {
  private static final double JITTER = 0.10;

  /**
   * Writes in flight at once, for all agents; each agent has at most one (a real agent is one
   * loop). With 4, the simulated agents fall behind whenever the API server answers slowly (at 350
   * ms an answer, 11 writes/s). With 64 they do not, and the agents then keep the test API server
   * (2 cores) at its limit by themselves: 64 status writes in flight all the time, the servers at
   * 175% of a core, and every watch of all TcpTeardownNodes minutes behind (docs/benchmarks.md,
   * "Scale").
   */
  public static final int THREADS = Integer.getInteger("bench.agentThreads", 4);

  private static final Duration RETRY = Duration.ofSeconds(1);

  private static final Map<ManagedSysctl, Long> KERNEL_DEFAULTS =
      Map.of(
          ManagedSysctl.ORPHAN_RETRIES, 0L,
          ManagedSysctl.FIN_TIMEOUT, 60L,
          ManagedSysctl.MAX_ORPHANS, 65536L,
          ManagedSysctl.MAX_TW_BUCKETS, 65536L,
          ManagedSysctl.TW_REUSE, 2L,
          ManagedSysctl.TIMESTAMPS, 1L);

  /**
   * @param reportInterval the agents' --report-interval
   * @param timeWaitShare TIME_WAIT as a share of tcp_max_tw_buckets, ±5%
   * @param pods pod namespaces each node lists in status.pods
   */
  public record Settings(Duration reportInterval, double timeWaitShare, int pods) {}

  private final KubernetesClient client;
  private final Set<String> nodes;
  private final Set<String> answerOnly = ConcurrentHashMap.newKeySet();
  private final Map<String, ScheduledFuture<?>> nextReport = new ConcurrentHashMap<>();
  private final Settings settings;
  private final Clock clock = Clock.systemUTC();
  private final ScheduledExecutorService threads;
  private final SharedIndexInformer<TcpTeardownNode> informer;
  private final Map<String, Long> answered = new ConcurrentHashMap<>();

  /** Per agent, the turn asked for and not yet taken. */
  private final Map<String, Turn> asked = new ConcurrentHashMap<>();

  /** Agents with a turn running or queued on {@link #threads}. */
  private final Set<String> busy = ConcurrentHashMap.newKeySet();

  private final Map<String, List<Condition>> conditions = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();
  private final Map<String, AtomicLong> failuresByKind = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> lastAnswer = new AtomicReference<>(Instant.EPOCH);
  private volatile boolean closed;

  private SimulatedAgents(KubernetesClient client, Set<String> nodes, Settings settings) {
    this.client = client;
    this.nodes = Set.copyOf(nodes);
    this.settings = settings;
    this.threads =
        Executors.newScheduledThreadPool(
            THREADS, r -> Thread.ofPlatform().daemon().name("simulated-agents").unstarted(r));
    // Assigned before it starts: its first events run turns, which read its store.
    this.informer = client.resources(TcpTeardownNode.class).withLimit(500L).runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(TcpTeardownNode object) {
            specMayHaveChanged(object);
          }

          @Override
          public void onUpdate(TcpTeardownNode before, TcpTeardownNode object) {
            specMayHaveChanged(object);
          }

          @Override
          public void onDelete(TcpTeardownNode object, boolean unknown) {}
        });
    informer.start().toCompletableFuture().join();
    for (String node : this.nodes) {
      long first =
          ThreadLocalRandom.current().nextLong(Math.max(1, settings.reportInterval().toMillis()));
      nextReport.put(
          node, threads.schedule(() -> ask(node, Turn.REPORT), first, TimeUnit.MILLISECONDS));
    }
  }

  /**
   * Agents also for these TcpTeardownNodes, that answer their spec changes (and their creation) but
   * never report periodically: objects as the agents shape them for a bare client to write.
   */
  public void answerAlso(Set<String> names) {
    answerOnly.addAll(names);
  }

  public static SimulatedAgents start(
      KubernetesClient client, Set<String> nodes, Settings settings) {
    return new SimulatedAgents(client, nodes, settings);
  }

  /** Status writes that succeeded. */
  public long writes() {
    return writes.get();
  }

  public long failures() {
    return failuresByKind.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Failed writes by the exception's class and message (its first 80 characters). */
  public Map<String, Long> failuresByKind() {
    Map<String, Long> copy = new TreeMap<>();
    failuresByKind.forEach((kind, count) -> copy.put(kind, count.get()));
    return copy;
  }

  private void failed(RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    String kind =
        e.getClass().getSimpleName()
            + ": "
            + message.substring(0, Math.min(80, message.length())).replaceAll("[0-9a-f-]{8,}", "*");
    failuresByKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }

  /** When an agent last wrote a status answering a spec change. */
  public Instant lastAnswer() {
    return lastAnswer.get();
  }

  /** The spec generation each node's agent last answered. */
  public Map<String, Long> answered() {
    return Map.copyOf(answered);
  }

  private void specMayHaveChanged(TcpTeardownNode object) {
    String name = object.getMetadata().getName();
    Long generation = object.getMetadata().getGeneration();
    if (!closed
        && (nodes.contains(name) || answerOnly.contains(name))
        && !generation.equals(answered.get(name))) {
      ask(name, Turn.ANSWER);
    }
  }

  /** What an agent's turn is for: its periodic report, an answer to a spec change, or both. */
  private enum Turn {
    REPORT,
    ANSWER,
    BOTH;

    Turn and(Turn other) {
      return this == other ? this : BOTH;
    }
  }

  /**
   * Asks for a turn of the node's agent: one at a time per agent, as the real agent's loop runs, so
   * that an older status never lands after a newer one; what is asked while a turn runs is done by
   * the next (an answer covers a report).
   */
  private void ask(String node, Turn turn) {
    if (closed) {
      return;
    }
    asked.merge(node, turn, Turn::and);
    if (busy.add(node)) {
      try {
        threads.execute(() -> turns(node));
      } catch (RejectedExecutionException e) {
        busy.remove(node); // closing
      }
    }
  }

  private void turns(String node) {
    while (true) {
      Turn turn = asked.remove(node);
      if (turn != null) {
        try {
          turn(node, turn);
        } catch (RuntimeException e) {
          failed(e);
        }
        continue;
      }
      busy.remove(node);
      // Asked after the remove above but before this agent was idle: take it here.
      if (!asked.containsKey(node) || !busy.add(node)) {
        return;
      }
    }
  }

  /**
   * An answer written is also the report (the next one is due an interval later); an answer found
   * already written leaves the periodic report, if asked too, to be written.
   */
  private void turn(String node, Turn turn) {
    if (turn != Turn.REPORT && report(node, true)) {
      scheduleReport(node);
      return;
    }
    if (turn == Turn.ANSWER) {
      return;
    }
    try {
      report(node, false);
    } finally {
      scheduleReport(node);
    }
  }

  /** As the agent does: the next periodic report one jittered interval after its last write. */
  private void scheduleReport(String node) {
    if (closed || !nodes.contains(node)) {
      return;
    }
    long base = settings.reportInterval().toMillis();
    long next =
        Math.round(base * (1 - JITTER + 2 * JITTER * ThreadLocalRandom.current().nextDouble()));
    try {
      ScheduledFuture<?> replaced =
          nextReport.put(
              node, threads.schedule(() -> ask(node, Turn.REPORT), next, TimeUnit.MILLISECONDS));
      if (replaced != null) {
        replaced.cancel(false);
      }
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** One write of the agent's status, if due; whether it was attempted. */
  private boolean report(String node, boolean answer) {
    TcpTeardownNode object = informer.getStore().getByKey(node);
    if (object == null || object.getSpec() == null || closed) {
      return false;
    }
    long generation = object.getMetadata().getGeneration();
    if (answer && Long.valueOf(generation).equals(answered.get(node))) {
      return false;
    }
    Instant now = clock.instant();
    TcpTeardownNodeStatus status = status(node, object, generation, now);
    try {
      StatusPublisher.writeStatus(client, node, status);
      writes.incrementAndGet();
      conditions.put(node, status.conditions());
      Long before = answered.put(node, generation);
      if (before == null || before != generation) {
        Instant done = clock.instant();
        lastAnswer.accumulateAndGet(done, (a, b) -> a.isAfter(b) ? a : b);
      }
    } catch (KubernetesClientException e) {
      failed(e);
      if (answer) {
        // As the agent's next turn would: a spec change is answered, if late.
        retryAnswer(node);
      }
    }
    return true;
  }

  private void retryAnswer(String node) {
    try {
      threads.schedule(() -> ask(node, Turn.ANSWER), RETRY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private TcpTeardownNodeStatus status(
      String node, TcpTeardownNode object, long generation, Instant now) {
    TeardownSettings desired = object.getSpec().settings();
    Map<ManagedSysctl, Long> applied = desired.sysctlValues();
    Map<ManagedSysctl, Long> originals = new EnumMap<>(ManagedSysctl.class);
    applied.keySet().forEach(s -> originals.put(s, KERNEL_DEFAULTS.get(s)));
    Map<ManagedSysctl, Long> kernel = new EnumMap<>(KERNEL_DEFAULTS);
    kernel.putAll(applied);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long limit = kernel.get(ManagedSysctl.MAX_TW_BUCKETS);
    long timeWait =
        Math.round(limit * settings.timeWaitShare() * (0.95 + 0.10 * random.nextDouble()));
    NodeObservation observation =
        new NodeObservation(
            kernel,
            new StateCounts(
                random.nextLong(20),
                random.nextLong(200),
                timeWait,
                random.nextLong(50),
                random.nextLong(10),
                random.nextLong(3),
                random.nextLong(500)),
            new KernelCounters(0, 0),
            "netlink");
    AgentState state =
        new AgentState(
            generation, desired, applied, originals, AgentState.Problems.NONE, List.of(), 0);
    List<PodTeardownEntry> entries = new ArrayList<>();
    StateCounts inPods = StateCounts.ZERO;
    for (int i = 0; i < settings.pods(); i++) {
      StateCounts counts =
          new StateCounts(
              random.nextLong(5),
              random.nextLong(40),
              random.nextLong(3000),
              random.nextLong(20),
              random.nextLong(5),
              0,
              random.nextLong(10));
      inPods = inPods.plus(counts);
      entries.add(
          new PodTeardownEntry(
              "team-" + (i % 7),
              "app-" + i + "-" + Integer.toHexString(node.hashCode() & 0xffff),
              String.format("%08x-0000-4000-8000-%012x", i, node.hashCode() & 0xffffffffL),
              counts,
              new KernelCounters(0, 0),
              262144L,
              random.nextLong(30),
              null,
              "Top"));
    }
    PodsSummary pods =
        new PodsSummary(inPods, entries, settings.pods() + 5, true, List.of(), List.of());
    return new AgentStatusComposer(
            new AgentInfo("tcp-teardown-agent-" + node, "sim", List.of(AgentInfo.POD_RULES)))
        .compose(
            state,
            LatestCount.of(observation, now),
            Optional.of(new PodObserver.Result(pods, now, Duration.ofMillis(3))),
            Optional.empty(),
            conditions.getOrDefault(node, List.of()),
            now);
  }

  @Override
  public void close() {
    closed = true;
    informer.close();
    threads.shutdownNow();
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
