package io.tcpteardown.agent.pods;

import java.time.Duration;

/**
 * Spaces pod sweeps so that they stay inside a CPU budget, by what they really cost: a dump in a
 * namespace that shares the host's TCP hash table walks the node's whole table (a sweep of P such
 * pods costs about P walks, and on a busy node that is real CPU), one in a namespace with a table
 * of its own walks only that (nearly free), so the same budget allows far more frequent sweeps of
 * such pods, down to the minimum interval. After a sweep that used {@code cpu} over {@code wall},
 * the next one starts no sooner than {@code cpu / budget - wall} later (so that on average sweeps
 * use at most {@code budget} of a core), and never sooner than the minimum interval.
 *
 * @param budget the share of one core sweeps may use, e.g. 0.02 for 2%
 * @param minimum the shortest pause between two sweeps
 */
public record SweepPacer(double budget, Duration minimum) {
  public SweepPacer {
    if (!(budget > 0 && budget <= 1)) {
      throw new IllegalArgumentException(
          "the pod sweep CPU budget must be above 0 and at most 1 (a whole core), not " + budget);
    }
  }

  /**
   * The pause before the next sweep, after one that used {@code cpu} over {@code wall}, with sweeps
   * alone on the budget (see {@link CpuBudget}, which the agent shares with the tuning loop).
   */
  public Duration pauseAfter(Duration cpu, Duration wall) {
    long spread = (long) (cpu.toNanos() / budget) - wall.toNanos();
    return spread > minimum.toNanos() ? Duration.ofNanos(spread) : minimum;
  }

  /**
   * The pause before the next sweep on a budget shared with other work: until {@code budget} holds
   * a sweep's reserve, never less than the minimum.
   */
  public Duration pauseOn(CpuBudget budget) {
    Duration wait = budget.sweepWait();
    return wait.compareTo(minimum) > 0 ? wait : minimum;
  }
}
