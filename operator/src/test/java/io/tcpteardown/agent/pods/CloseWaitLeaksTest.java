package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@UnitTest
class CloseWaitLeaksTest {
  private final CloseWaitLeaks leaks = new CloseWaitLeaks(100);

  private CloseWaitLeaks.Verdict sweep(long count) {
    List<CloseWaitLeaks.Verdict> verdicts = leaks.observe(Map.of("pod-a", count));
    return verdicts.getFirst();
  }

  @Test
  void aLeakIsSuspectedAfterThreeSweepsAtOrAboveTheThresholdThatDidNotFall() {
    assertThat(sweep(100).leaking()).isFalse();
    assertThat(sweep(100).leaking()).isFalse();
    CloseWaitLeaks.Verdict third = sweep(120);
    assertThat(third.leaking()).isTrue();
    assertThat(third.eventDue()).isTrue();
  }

  @Test
  void aFallingCountIsNoLeak() {
    sweep(300);
    assertThat(sweep(250).leaking()).isFalse();
    // 300, 250, 260: it fell within the last three sweeps.
    assertThat(sweep(260).leaking()).isFalse();
    // 250, 260, 270: three sweeps without a fall.
    assertThat(sweep(270).leaking()).isTrue();
  }

  @Test
  void belowTheThresholdIsNoLeak() {
    sweep(99);
    sweep(99);
    assertThat(sweep(99).leaking()).isFalse();
  }

  @Test
  void theEventIsRaisedAgainOnlyWhenTheLeakGrewByHalf() {
    sweep(100);
    sweep(100);
    assertThat(sweep(100).eventDue()).isTrue();
    assertThat(sweep(140).eventDue()).isFalse();
    assertThat(sweep(149).eventDue()).isFalse();
    assertThat(sweep(150).eventDue()).isTrue();
    assertThat(sweep(200).eventDue()).isFalse();
    assertThat(sweep(225).eventDue()).isTrue();
  }

  @Test
  void aLeakThatClearedRaisesAFreshEventWhenItComesBack() {
    sweep(100);
    sweep(100);
    assertThat(sweep(100).eventDue()).isTrue();
    assertThat(sweep(10).leaking()).isFalse();
    sweep(100);
    sweep(100);
    assertThat(sweep(100).eventDue()).isTrue();
  }

  @Test
  void podsThatLeaveTheSweepAreForgotten() {
    sweep(100);
    sweep(100);
    leaks.observe(Map.of("pod-b", 5L));
    assertThat(sweep(100).leaking()).isFalse();
  }
}
