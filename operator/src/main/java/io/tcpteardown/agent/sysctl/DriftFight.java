package io.tcpteardown.agent.sysctl;

import java.time.Duration;
import java.time.Instant;

/**
 * Someone else changing managed values again and again, in the node's namespace or a pod's: {@code
 * streak} consecutive drift checks found drift; the next check waits until {@code nextCheck} (null:
 * at the normal pace). One policy for both: from the second such check on, the next check waits
 * twice as long each time (from the drift-check interval, up to {@link #MAX_BACKOFF}); a check that
 * finds nothing ends the fight.
 */
public record DriftFight(int streak, Instant nextCheck, Duration backoff) {
  public static final DriftFight NONE = new DriftFight(0, null, Duration.ZERO);

  /** The longest a drift fight stretches the time between drift checks. */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

  /** True from the second consecutive check that found drift. */
  public boolean fighting() {
    return streak >= 2;
  }

  /** Whether a check at {@code now} must wait: the kernel is left alone until {@code nextCheck}. */
  public boolean backingOff(Instant now) {
    return nextCheck != null && now.isBefore(nextCheck);
  }

  /** After a drift check at {@code now} that {@code found} drift or not. */
  public DriftFight after(boolean found, Instant now, Duration interval) {
    if (!found) {
      return NONE;
    }
    int next = streak + 1;
    if (next < 2) {
      return new DriftFight(next, null, Duration.ZERO);
    }
    Duration ceiling = interval.compareTo(MAX_BACKOFF) > 0 ? interval : MAX_BACKOFF;
    Duration wait = interval;
    for (int i = 1; i < next && wait.compareTo(ceiling) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    if (wait.compareTo(ceiling) > 0) {
      wait = ceiling;
    }
    return new DriftFight(next, now.plus(wait), wait);
  }
}
