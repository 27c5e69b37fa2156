package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

@UnitTest
class WaitingPodsTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aPodIsLookedForAtTheFastPaceForAtMostTheLimitAndANewOneStartsItsOwn() {
    WaitingPods waiting = new WaitingPods(Duration.ofSeconds(60));
    assertThat(waiting.lookSoon(Set.of(), 0)).isFalse();
    assertThat(waiting.lookSoon(Set.of("stuck"), 0)).isTrue();
    assertThat(waiting.lookSoon(Set.of("stuck"), 59 * SECOND)).isTrue();
    assertThat(waiting.lookSoon(Set.of("stuck"), 60 * SECOND)).isFalse();
    assertThat(waiting.lookSoon(Set.of("stuck", "new"), 61 * SECOND)).isTrue();
    assertThat(waiting.lookSoon(Set.of("stuck", "new"), 121 * SECOND)).isFalse();
    // A pod that found its namespace and later waits again (a restarted sandbox) starts afresh.
    assertThat(waiting.lookSoon(Set.of(), 122 * SECOND)).isFalse();
    assertThat(waiting.lookSoon(Set.of("stuck"), 123 * SECOND)).isTrue();
  }
}
