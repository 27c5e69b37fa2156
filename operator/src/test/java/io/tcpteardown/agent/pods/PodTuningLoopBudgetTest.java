package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.rules.PodFacts;
import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The tuning loop under a storm of pod events, each pass charged 50 ms of CPU by a fake CPU meter:
 * once the burst is spent, passes wait for the budget however many events arrive. (Pods never sync
 * here, so a pass does no more than ask; the waiting retry is 250 ms, as in the agent.)
 */
@UnitTest
class PodTuningLoopBudgetTest {
  private static final long PASS_CPU = Duration.ofMillis(50).toNanos();

  @Test
  void aStormOfPodEventsRunsNoMorePassesThanTheBudgetPays() throws Exception {
    AtomicInteger passes = new AtomicInteger();
    PodTuningLoop.Pods pods =
        new PodTuningLoop.Pods() {
          @Override
          public Collection<PodFacts> pods() {
            return List.of();
          }

          @Override
          public boolean synced() {
            passes.incrementAndGet();
            return false;
          }
        };
    AtomicLong cpu = new AtomicLong();
    // Two readings per pass, before and after: each pass is charged 50 ms.
    AtomicInteger readings = new AtomicInteger();
    CpuBudget budget = new CpuBudget(0.02, CpuBudget.DEFAULT_BURST, System::nanoTime);
    try (PodTuningLoop loop =
        new PodTuningLoop(
            null,
            null,
            null,
            pods,
            Optional::empty,
            Duration.ofMinutes(5),
            Duration.ofMillis(250),
            budget,
            () -> readings.getAndIncrement() % 2 == 0 ? cpu.get() : cpu.addAndGet(PASS_CPU),
            (object, type, reason, message) -> {},
            java.time.Clock.systemUTC())) {
      loop.start();
      long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      while (System.nanoTime() < end) {
        loop.trigger();
        Thread.sleep(5);
      }
    }
    // 500 ms of burst pays for 10 passes; then one every 2.5 s at 2% of a core.
    assertThat(passes.get()).isBetween(10, 11);
    assertThat(budget.balance()).isLessThanOrEqualTo(Duration.ZERO);
  }
}
