package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.count.AdviceEvidence;
import io.tcpteardown.agent.schedule.SingleThreadSchedule;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.events.EventSink;
import io.tcpteardown.rules.advice.NamespaceEvidence;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sweeps the network namespaces of this node's pods on a thread of its own, paced by the CPU
 * budget, and keeps the latest result for the next status report (a pod change never causes a write
 * of its own). Only namespaces whose processes carry the UID of a Pod of this node are counted;
 * hostNetwork pods share the node's namespace and are counted there, once. Raises a Warning Event
 * on a Pod whose CLOSE_WAIT leak is suspected, and again when it grew by half.
 */
public final class PodSweepLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodSweepLoop.class);

  /** The latest sweep: the pods' part of the status, and when it was taken. */
  public record Result(
      SweptPods summary,
      Instant countedAt,
      Duration cpu,
      Optional<String> ehashAdvice,
      List<PodEvidence> evidence) {
    public Result {
      evidence = List.copyOf(evidence);
    }

    /** A result without advice on the pods' hash tables. */
    public Result(SweptPods summary, Instant countedAt, Duration cpu) {
      this(summary, countedAt, cpu, Optional.empty(), List.of());
    }

    public Result(
        SweptPods summary, Instant countedAt, Duration cpu, Optional<String> ehashAdvice) {
      this(summary, countedAt, cpu, ehashAdvice, List.of());
    }
  }

  /**
   * What the advice rules take from one pod's namespace in this sweep: one per attributed pod swept
   * with netlink (a few hundred bytes each: the 8 busiest destinations at most).
   */
  public record PodEvidence(
      String uid, String namespace, String name, NamespaceEvidence evidence) {}

  /** How long closing waits for a sweep under way. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /** What the observer needs to know of its configuration. */
  public record Settings(
      SweepPacer pacer, int statusPodLimit, int podMetricsLimit, long closeWaitThreshold) {}

  private final NamespaceCounter sweeper;
  private final PodDirectory directory;
  private final CloseWaitHolders holders;
  private final CloseWaitLeaks leaks;
  private final EventSink events;
  private final PodMetrics metrics;
  private final Settings settings;
  private final CpuBudget budget;
  private final Clock clock;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final SingleThreadSchedule thread = new SingleThreadSchedule("pod-sweep", CLOSE_WAIT);
  private final AtomicReference<Result> latest = new AtomicReference<>();
  private Map<String, KernelCounters> previousCounters = Map.of();

  public PodSweepLoop(
      NamespaceCounter sweeper,
      PodDirectory directory,
      CloseWaitHolders holders,
      EventSink events,
      PodMetrics metrics,
      Settings settings,
      CpuBudget budget,
      Clock clock) {
    this.sweeper = sweeper;
    this.directory = directory;
    this.holders = holders;
    this.leaks = new CloseWaitLeaks(settings.closeWaitThreshold());
    this.events = events;
    this.metrics = metrics;
    this.settings = settings;
    this.budget = budget;
    this.clock = clock;
  }

  public void start() {
    schedule(Duration.ZERO);
  }

  public Optional<Result> latest() {
    return Optional.ofNullable(latest.get());
  }

  private void schedule(Duration delay) {
    thread.after(delay, this::sweepAndReschedule);
  }

  private void sweepAndReschedule() {
    long cpuBefore = cpuNanos();
    long wallBefore = System.nanoTime();
    try {
      sweep();
    } catch (IOException | RuntimeException e) {
      LOG.warn("pod sweep failed; the next one runs at its time: {}", e.getMessage());
    }
    Duration cpu = Duration.ofNanos(Math.max(0, cpuNanos() - cpuBefore));
    Result last = latest.get();
    if (last != null) {
      latest.set(
          new Result(
              last.summary(),
              last.countedAt(),
              cpu,
              EhashAdvice.advise(cpu, last.summary(), settings.pacer()),
              last.evidence()));
    }
    budget.charge(cpu.toNanos(), wallBefore);
    schedule(settings.pacer().pauseOn(budget));
  }

  /** One sweep: count, judge leaks, name holders, summarize, raise Events, update metrics. */
  void sweep() throws IOException {
    // One look at the node's pods per sweep (keyed as cgroup paths carry their UIDs).
    // A namespace whose config hash several Pods claim is counted and reported by its UID alone:
    // no Pod's name, namespace or Events go with it.
    PodDirectory.Attribution pods = directory.attribution();
    Map<String, PodMeta> known = pods.byCgroupUid();
    List<NamespaceCounts> counted =
        sweeper.sweep(
            namespace ->
                namespace
                    .pod()
                    .map(
                        p ->
                            known.containsKey(p.podUid())
                                || pods.unattributed().contains(p.podUid()))
                    .orElse(false));
    Map<String, Long> closeWait = new HashMap<>();
    counted.forEach(c -> closeWait.put(uid(c), c.states().closeWait()));
    Map<String, CloseWaitLeaks.Verdict> verdicts = new HashMap<>();
    leaks.observe(closeWait).forEach(v -> verdicts.put(v.podUid(), v));

    List<SweepSummarizer.PodInput> inputs = new ArrayList<>();
    List<PodEvidence> evidence = new ArrayList<>();
    List<PodMetrics.Named> named = new ArrayList<>();
    for (NamespaceCounts counts : counted) {
      String uid = uid(counts);
      Optional<PodMeta> meta = Optional.ofNullable(known.get(uid));
      CloseWaitLeaks.Verdict verdict = verdicts.get(uid);
      boolean leaking = verdict != null && verdict.leaking();
      CloseWaitHolders.Scan held =
          leaking
              ? holders.scan(counts.namespace())
              : new CloseWaitHolders.Scan(List.of(), 0, 0, 0, 0);
      SweepSummarizer.PodInput input =
          new SweepSummarizer.PodInput(
              counts,
              meta,
              leaking,
              held.holders(),
              held.holders().size() + held.holdersNotKept(),
              Optional.ofNullable(previousCounters.get(uid)));
      inputs.add(input);
      meta.ifPresent(m -> named.add(new PodMetrics.Named(m.namespace(), m.name(), counts)));
      if (meta.isPresent()) {
        Optional<KernelCounters> previous = Optional.ofNullable(previousCounters.get(uid));
        counts
            .adviceLook()
            .flatMap(look -> AdviceEvidence.ofPod(look, previous))
            .ifPresent(
                e ->
                    evidence.add(
                        new PodEvidence(uid, meta.get().namespace(), meta.get().name(), e)));
      }
      if (verdict != null && verdict.eventDue() && meta.isPresent()) {
        raiseLeakEvent(meta.get(), input);
      }
    }
    previousCounters = SweepSummarizer.countersByPod(counted);
    Instant now = clock.instant();
    latest.set(
        new Result(
            SweepSummarizer.summarize(inputs, settings.statusPodLimit(), now),
            now,
            Duration.ZERO,
            Optional.empty(),
            evidence));
    java.util.Set<String> leaking = new java.util.HashSet<>();
    verdicts.values().stream()
        .filter(CloseWaitLeaks.Verdict::leaking)
        .forEach(v -> leaking.add(v.podUid()));
    metrics.update(named, leaking);
  }

  private void raiseLeakEvent(PodMeta meta, SweepSummarizer.PodInput input) {
    events.emit(
        PodObjects.reference(meta.namespace(), meta.name(), meta.uid()),
        EventRecorder.WARNING,
        NodeConditions.EVENT_CLOSE_WAIT_LEAK,
        SweepSummarizer.leakMessage(input));
  }

  private static String uid(NamespaceCounts counts) {
    return counts.namespace().pod().map(PodCgroup::podUid).orElseThrow();
  }

  private long cpuNanos() {
    return threads.getCurrentThreadCpuTime() + sweeper.namespaceThreadCpuNanos();
  }

  @Override
  /** Stops the sweeps; the sweeper and the directory are closed by whoever built them. */
  public void close() {
    thread.close();
  }
}
