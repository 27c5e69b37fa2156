package io.tcpteardown.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@UnitTest
class ObjectRateLimitTest {
  private static final long MINUTE = Duration.ofMinutes(1).toNanos();

  @Test
  void aBurstThenOnePerRefillPerObjectEachObjectOnItsOwn() {
    ObjectRateLimit limit = new ObjectRateLimit(3, Duration.ofMinutes(1), 100);
    for (int i = 0; i < 3; i++) {
      assertThat(limit.take("a", 0)).isEqualTo(ObjectRateLimit.Answer.ALLOWED);
    }
    assertThat(limit.take("a", 0)).isEqualTo(ObjectRateLimit.Answer.FIRST_REFUSED);
    assertThat(limit.take("a", MINUTE / 2)).isEqualTo(ObjectRateLimit.Answer.REFUSED);
    assertThat(limit.take("b", MINUTE / 2)).isEqualTo(ObjectRateLimit.Answer.ALLOWED);
    assertThat(limit.take("a", MINUTE)).isEqualTo(ObjectRateLimit.Answer.ALLOWED);
    assertThat(limit.take("a", MINUTE)).isEqualTo(ObjectRateLimit.Answer.FIRST_REFUSED);
    // a long quiet time refills no more than the burst
    for (int i = 0; i < 3; i++) {
      assertThat(limit.take("a", 100 * MINUTE)).isEqualTo(ObjectRateLimit.Answer.ALLOWED);
    }
    assertThat(limit.take("a", 100 * MINUTE)).isEqualTo(ObjectRateLimit.Answer.FIRST_REFUSED);
  }

  @Test
  void memoryIsBoundedWhateverTheNumberOfObjects() {
    ObjectRateLimit limit = new ObjectRateLimit(1, Duration.ofMinutes(1), 50);
    for (int i = 0; i < 100_000; i++) {
      limit.take("pod-" + i, 0);
    }
    assertThat(limit.tracked()).isEqualTo(50);
  }
}
