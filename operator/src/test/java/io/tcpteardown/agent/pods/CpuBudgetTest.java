package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shared CPU budget on a fake clock, with the CPU of each piece of work given. */
@UnitTest
class CpuBudgetTest {
  private static final long MS = 1_000_000L;
  private static final double SHARE = 0.02;
  private static final Duration BURST = CpuBudget.DEFAULT_BURST;

  private long now = 1_000_000 * MS;
  private final CpuBudget budget = new CpuBudget(SHARE, BURST, () -> now);

  @Test
  void sweepsAloneArePacedExactlyAsThePacerSays() {
    SweepPacer pacer = new SweepPacer(SHARE, Duration.ofSeconds(10));
    // Use up the idle burst first, then compare sweep after sweep.
    budget.charge(BURST.toNanos(), now);
    now += pacer.pauseOn(budget).toNanos();
    // Each of these sweeps is paced by its CPU, not by the minimum interval.
    for (long cpu : new long[] {700, 1000, 400, 3000}) {
      long wall = 2 * cpu * MS;
      budget.charge(cpu * MS, now);
      now += wall;
      Duration expected = pacer.pauseAfter(Duration.ofMillis(cpu), Duration.ofNanos(wall));
      assertThat(pacer.pauseOn(budget)).isEqualTo(expected);
      now += expected.toNanos();
    }
  }

  /**
   * The tuning loop as it runs while a pod waits for its namespace (a pass every 250 ms) and under
   * a storm of pod events (a pass as soon as possible), each pass a scan of /proc costing 20 ms:
   * over ten minutes it uses at most the budget plus the burst, where unpaced it would take 8% and
   * 100% of a core.
   */
  @Test
  void theTuningLoopsRescansStayInsideTheBudget() {
    for (Duration wanted : new Duration[] {Duration.ofMillis(250), Duration.ZERO}) {
      CpuBudget shared = new CpuBudget(SHARE, BURST, () -> now);
      long start = now;
      long end = start + Duration.ofMinutes(10).toNanos();
      long cpu = 0;
      int passes = 0;
      while (now < end) {
        long pass = 20 * MS;
        shared.charge(pass, now);
        cpu += pass;
        passes++;
        now += pass + PodTuningLoop.delay(wanted, shared).toNanos();
      }
      double elapsed = now - start;
      assertThat(cpu).isLessThanOrEqualTo((long) (SHARE * elapsed) + BURST.toNanos());
      assertThat(passes).isLessThanOrEqualTo(625);
    }
  }

  /**
   * Sweeps are spaced by what they cost, not by how many pods there are. Costs as PodSweepBenchmark
   * measures them for 100 pods: 2.7 s of CPU when their namespaces share the host's TCP hash table
   * (every dump walks the node's sockets), 30 ms when each has a table of its own. At 2% the first
   * run about once every 135 s whatever the minimum; the second at the minimum interval, and with a
   * shorter minimum every cost / share = 1.5 s: as often as their real cost allows.
   */
  @Test
  void sweepsRunAsOftenAsTheirCostAllowsDownToTheMinimumInterval() {
    Duration agentMinimum = Duration.ofSeconds(15);
    assertThat(sweepsInTenMinutes(2_700, 3_000, agentMinimum)).isBetween(4, 5);
    assertThat(sweepsInTenMinutes(2_700, 3_000, Duration.ofSeconds(1))).isBetween(4, 5);
    // 600 s / (15 s + 40 ms): the minimum binds.
    assertThat(sweepsInTenMinutes(30, 40, agentMinimum)).isEqualTo(40);
    // The budget binds: 2% of 600 s is 12 s of CPU, 400 sweeps, plus at most the burst's 16.
    assertThat(sweepsInTenMinutes(30, 40, Duration.ofSeconds(1))).isBetween(400, 416);
  }

  /** Sweeps paced as the agent paces them (charge, then pauseOn) for ten minutes of fake time. */
  private int sweepsInTenMinutes(long cpuMillis, long wallMillis, Duration minimum) {
    SweepPacer pacer = new SweepPacer(SHARE, minimum);
    CpuBudget shared = new CpuBudget(SHARE, BURST, () -> now);
    long start = now;
    long end = start + Duration.ofMinutes(10).toNanos();
    long cpu = 0;
    int sweeps = 0;
    while (now < end) {
      long startedAt = now;
      now += wallMillis * MS;
      shared.charge(cpuMillis * MS, startedAt);
      cpu += cpuMillis * MS;
      sweeps++;
      now += pacer.pauseOn(shared).toNanos();
    }
    assertThat(cpu).isLessThanOrEqualTo((long) (SHARE * (now - start)) + BURST.toNanos());
    return sweeps;
  }

  @Test
  void tuningGoesFirstSweepsLeaveItAReserve() {
    // After a sweep of 300 ms from a full balance (500 ms), the next sweep waits until the balance
    // is back to 250 ms (2.25 s later); a tuning pass may run at once.
    budget.charge(300 * MS, now);
    now += 250 * MS;
    assertThat(budget.tuningWait()).isZero();
    assertThat(budget.sweepWait()).isEqualTo(Duration.ofMillis(2250));
    // Overdrawn (the storm above), a pass waits until the balance is back to zero.
    budget.charge(600 * MS, now);
    assertThat(budget.balance()).isNegative();
    assertThat(budget.tuningWait()).isPositive();
    now += budget.tuningWait().toNanos();
    assertThat(budget.balance()).isEqualTo(Duration.ZERO);
  }

  @Test
  void anIdleBudgetHoldsNoMoreThanTheBurst() {
    now += Duration.ofHours(5).toNanos();
    assertThat(budget.balance()).isEqualTo(BURST);
    assertThat(budget.sweepWait()).isZero();
  }

  @Test
  void aShareOutsideOneCoreIsRefused() {
    assertThatThrownBy(() -> new CpuBudget(0, BURST, () -> now)).hasMessageContaining("not 0.0");
    assertThatThrownBy(() -> new CpuBudget(2, BURST, () -> now)).hasMessageContaining("not 2.0");
  }
}
