package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@UnitTest
class SweepPacerTest {
  private final SweepPacer pacer = new SweepPacer(0.02, Duration.ofSeconds(10));

  @Test
  void anExpensiveSweepIsFollowedByAPauseThatKeepsTheAverageInsideTheBudget() {
    // 1 s of CPU at 2% needs 50 s in all; the sweep itself took 2 s of them.
    assertThat(pacer.pauseAfter(Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .isEqualTo(Duration.ofSeconds(48));
    Duration cpu = Duration.ofMillis(700);
    Duration wall = Duration.ofMillis(900);
    Duration pause = pacer.pauseAfter(cpu, wall);
    double share = (double) cpu.toNanos() / (wall.plus(pause)).toNanos();
    assertThat(share).isLessThanOrEqualTo(0.02 + 1e-9);
  }

  @Test
  void aCheapSweepWaitsTheMinimum() {
    assertThat(pacer.pauseAfter(Duration.ofMillis(20), Duration.ofMillis(30)))
        .isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aBudgetOutsideOneCoreIsRefused() {
    assertThatThrownBy(() -> new SweepPacer(0, Duration.ZERO))
        .hasMessageContaining("budget")
        .hasMessageContaining("0.0");
    assertThatThrownBy(() -> new SweepPacer(1.5, Duration.ZERO)).hasMessageContaining("1.5");
  }
}
