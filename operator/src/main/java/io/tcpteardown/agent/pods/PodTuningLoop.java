package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.schedule.SingleThreadSchedule;
import io.tcpteardown.agent.sysctl.CorruptStateFileException;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.rules.PodFacts;
import io.tcpteardown.rules.PodResolution;
import io.tcpteardown.rules.PodRule;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the pods of this node tuned: on a thread of its own, resolves the node's pod rules against
 * its pods, finds their namespaces and runs a {@link PodTuner} pass (whose writes happen on the
 * setns thread). It runs when triggered (a pod or the rules changed), every {@code interval} (the
 * drift check), and while a pod that should get values has no namespace yet, every {@code
 * waitingRetry}. Without a spec (before the first, or after the object was deleted) it does
 * nothing, restores nothing. A new pod is tuned within that retry plus one pass of its namespace
 * appearing, provided the {@link CpuBudget} it shares with the pod sweeps has room: each pass (its
 * scan of /proc above all) is charged its thread's CPU, and no pass starts while the budget is
 * overdrawn, however many pod events arrive.
 */
public final class PodTuningLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodTuningLoop.class);

  /**
   * The pods of the node whose network namespace is their own (not hostNetwork): the facts
   * resolution needs, and whether the list is whole.
   */
  public interface Pods {
    Collection<PodFacts> pods();

    /**
     * Whether the pods and their namespaces' labels are known whole (the watches synced): nothing
     * is tuned, and no pod forgotten, before.
     */
    boolean synced();

    /**
     * UIDs of pods that exist but are attributed to no Pod object (a config hash two Pods claim):
     * not tuned, and their recorded originals kept.
     */
    default Set<String> unattributed() {
      return Set.of();
    }
  }

  /** The latest pass: every pod's decision, what was done, and the conflicts. */
  public record Result(
      List<PodRule> rules, PodResolution.Result resolution, List<PodTuning> tunings) {}

  private final PodTuner tuner;
  private final StateFile stateFile;
  private final NamespaceScanner scanner;
  private final Pods pods;
  private final Supplier<Optional<List<PodRule>>> rules;
  private final Duration interval;
  private final Duration waitingRetry;
  private final SingleThreadSchedule thread =
      new SingleThreadSchedule("pod-tuning", Duration.ofSeconds(5));
  private final AtomicReference<Result> latest = new AtomicReference<>();
  private ScheduledFuture<?> next;
  private final WaitingPods waiting = new WaitingPods(MAX_WAIT);
  private final CpuBudget budget;
  private final java.util.function.LongSupplier threadCpu;

  /** How long a pod that should be tuned is looked for at the fast pace. */
  static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private static final String NOT_SYNCED = "(pods and namespaces not synced yet)";

  /** A loop on a budget of its own of a whole core (the agent shares one with the sweeps). */
  public PodTuningLoop(
      PodTuner tuner,
      StateFile stateFile,
      NamespaceScanner scanner,
      Pods pods,
      Supplier<Optional<List<PodRule>>> rules,
      Duration interval,
      Duration waitingRetry) {
    this(
        tuner,
        stateFile,
        scanner,
        pods,
        rules,
        interval,
        waitingRetry,
        new CpuBudget(1.0, CpuBudget.DEFAULT_BURST, System::nanoTime),
        java.lang.management.ManagementFactory.getThreadMXBean()::getCurrentThreadCpuTime);
  }

  /**
   * @param budget shared with the pod sweeps; every pass is charged to it
   * @param threadCpu the CPU time of the calling thread, in nanoseconds
   */
  public PodTuningLoop(
      PodTuner tuner,
      StateFile stateFile,
      NamespaceScanner scanner,
      Pods pods,
      Supplier<Optional<List<PodRule>>> rules,
      Duration interval,
      Duration waitingRetry,
      CpuBudget budget,
      java.util.function.LongSupplier threadCpu) {
    this.budget = budget;
    this.threadCpu = threadCpu;
    this.tuner = tuner;
    this.stateFile = stateFile;
    this.scanner = scanner;
    this.pods = pods;
    this.rules = rules;
    this.interval = interval;
    this.waitingRetry = waitingRetry;
  }

  public void start() {
    trigger();
  }

  /** Runs a pass as soon as possible (a pod or the rules changed). */
  public synchronized void trigger() {
    schedule(Duration.ZERO);
  }

  public Optional<Result> latest() {
    return Optional.ofNullable(latest.get());
  }

  /** The delay of a pass wanted after {@code wanted}: never before the budget has room. */
  static Duration delay(Duration wanted, CpuBudget budget) {
    Duration room = budget.tuningWait();
    return room.compareTo(wanted) > 0 ? room : wanted;
  }

  private synchronized void schedule(Duration wanted) {
    Duration delay = delay(wanted, budget);
    if (next != null && next.getDelay(TimeUnit.NANOSECONDS) <= delay.toNanos()) {
      return;
    }
    if (next != null) {
      next.cancel(false);
    }
    next = thread.after(delay, this::passAndReschedule).orElse(null);
  }

  private void passAndReschedule() {
    synchronized (this) {
      next = null;
    }
    Duration after = interval;
    long started = System.nanoTime();
    long cpuBefore = threadCpu.getAsLong();
    try {
      if (pass()) {
        after = waitingRetry;
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("pod tuning pass failed; the next one runs at its time: {}", e.getMessage());
    }
    budget.charge(threadCpu.getAsLong() - cpuBefore, started);
    schedule(after);
  }

  /** One pass; answers whether some pod is still waiting for its namespace. */
  boolean pass() throws IOException {
    return waiting.lookSoon(passOnce(), System.nanoTime());
  }

  private Set<String> passOnce() throws IOException {
    if (!pods.synced()) {
      // Until the pods and their namespaces' labels are known whole, a selector could match a pod
      // it must not: nothing is tuned yet.
      return Set.of(NOT_SYNCED);
    }
    Optional<List<PodRule>> known = this.rules.get();
    if (known.isEmpty()) {
      // No spec yet (or the object was deleted): pods are left as they are.
      return Set.of();
    }
    List<PodRule> rules = known.get();
    Collection<PodFacts> facts = pods.pods();
    PodResolution.Result resolution = PodResolution.resolve(rules, facts);
    Set<String> recorded;
    try {
      recorded = stateFile.podUids();
    } catch (CorruptStateFileException e) {
      recorded = Set.of();
    }
    long own = scanner.ownNamespace().orElseThrow(() -> new IOException("cannot read own netns"));
    PodTargets plan = PodTargets.plan(resolution.decisions(), scanner.scan(own), recorded);
    List<PodTuning> tunings = tuner.pass(plan.targets());
    try {
      Set<String> existing = new java.util.HashSet<>(pods.unattributed());
      facts.forEach(f -> existing.add(f.uid()));
      tuner.forgetPodsOtherThan(existing);
    } catch (IOException e) {
      LOG.warn("cannot drop the originals of pods that are gone: {}", e.getMessage());
    }
    latest.set(new Result(rules, resolution, tunings));
    return plan.waiting();
  }

  @Override
  public void close() {
    thread.close();
  }
}
