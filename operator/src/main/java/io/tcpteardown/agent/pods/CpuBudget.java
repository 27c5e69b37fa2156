package io.tcpteardown.agent.pods;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The one CPU budget of everything the agent does per pod: sweeps (every /proc scan, every
 * namespace's dump, the CLOSE_WAIT holder lookups) and the pod tuning loop's rescans of /proc. Each
 * piece of work is charged its measured thread CPU after it ran; work waits until the budget has
 * room. Over any interval T the work charged uses at most {@code share * T + burst} of CPU.
 *
 * <p>The account is kept as a time, {@code readyAt}: the balance at {@code now} is {@code (now -
 * readyAt) * share}, at most {@code burst}. A charge of {@code cpu} for work started at {@code t}
 * moves {@code readyAt} to {@code max(readyAt, t - burst / share) + cpu / share}. Sweeps wait until
 * half the burst is available ({@link #SWEEP_RESERVE}), the tuning loop only until the balance is
 * not negative: tuning a pod goes first, sweeps spend the rest. With sweeps alone this is exactly
 * {@link SweepPacer#pauseAfter}: a sweep of {@code cpu} over {@code wall} is followed by {@code cpu
 * / share - wall}. Thread-safe.
 */
public final class CpuBudget {
  /** The CPU that may be used at once after an idle spell: 500 ms of a core. */
  public static final Duration DEFAULT_BURST = Duration.ofMillis(500);

  /** The share of the burst a sweep leaves for the tuning loop. */
  static final double SWEEP_RESERVE = 0.5;

  private final double share;
  private final long burstNanos;
  private final long burstWallNanos;
  private final LongSupplier nanoTime;
  private long readyAt;

  /**
   * @param share the share of one core, above 0 and at most 1
   * @param burst the most CPU the balance holds
   * @param nanoTime a monotonic clock ({@code System::nanoTime})
   */
  public CpuBudget(double share, Duration burst, LongSupplier nanoTime) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException(
          "the pod CPU budget must be above 0 and at most 1 (a whole core), not " + share);
    }
    if (burst.isNegative()) {
      throw new IllegalArgumentException("the CPU burst must not be negative, not " + burst);
    }
    this.share = share;
    this.burstNanos = burst.toNanos();
    this.burstWallNanos = (long) (burstNanos / share);
    this.nanoTime = nanoTime;
    this.readyAt = nanoTime.getAsLong() - burstWallNanos;
  }

  /** The budget of a pacer, with the default burst, on the system's clock. */
  public static CpuBudget of(SweepPacer pacer) {
    return new CpuBudget(pacer.budget(), DEFAULT_BURST, System::nanoTime);
  }

  /** Charges {@code cpuNanos} of CPU used by work that started at {@code startedAt} (nanoTime). */
  public synchronized void charge(long cpuNanos, long startedAt) {
    long cost = (long) (Math.max(0, cpuNanos) / share);
    readyAt = Math.max(readyAt, startedAt - burstWallNanos) + cost;
  }

  /** How long until the balance is at least {@code reserve} of CPU (zero when it is now). */
  public synchronized Duration waitFor(Duration reserve) {
    long reserveNanos = Math.min(burstNanos, reserve.toNanos());
    long wait = readyAt + (long) (reserveNanos / share) - nanoTime.getAsLong();
    return wait > 0 ? Duration.ofNanos(wait) : Duration.ZERO;
  }

  /** How long a sweep waits: until the balance holds its reserve of the burst. */
  public Duration sweepWait() {
    return waitFor(Duration.ofNanos((long) (burstNanos * SWEEP_RESERVE)));
  }

  /** How long a tuning pass waits: until the balance is not negative. */
  public Duration tuningWait() {
    return waitFor(Duration.ZERO);
  }

  /** The CPU available now, at most the burst (negative when overdrawn). */
  public synchronized Duration balance() {
    long balance = (long) ((nanoTime.getAsLong() - readyAt) * share);
    return Duration.ofNanos(Math.min(burstNanos, balance));
  }
}
