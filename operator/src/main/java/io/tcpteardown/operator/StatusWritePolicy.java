package io.tcpteardown.operator;

import io.tcpteardown.api.TcpTeardownProfileStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * When a profile's newly computed status is written. What a user acts on ({@link UrgentStatus}) is
 * written at once. The live part (totals, per-node counts and entries, applied node count, pod
 * summary, the messages, which carry counts such as a node's TIME_WAIT) changes on almost every
 * agent report: it is written at most once per {@code interval} per profile, and a change held back
 * is written when the interval ends, so the latest counts are never more than one interval old.
 */
public record StatusWritePolicy(Duration interval) {

  public StatusWritePolicy {
    if (interval == null || interval.isNegative()) {
      throw new IllegalArgumentException("status interval must be zero or positive: " + interval);
    }
  }

  /**
   * What to do with a computed status.
   *
   * @param write patch the status now
   * @param retryAfter when the held-back status is due (null when nothing is held back)
   */
  public record Decision(boolean write, Duration retryAfter) {
    static final Decision NOTHING = new Decision(false, null);
    static final Decision WRITE = new Decision(true, null);

    static Decision deferBy(Duration delay) {
      return new Decision(false, delay);
    }
  }

  /**
   * @param written the status stored now (null when none)
   * @param next the status computed now
   * @param lastWrite when this operator last wrote this profile's status (null when never)
   */
  public Decision decide(
      TcpTeardownProfileStatus written,
      TcpTeardownProfileStatus next,
      Instant lastWrite,
      Instant now) {
    if (next.equals(written)) {
      return Decision.NOTHING;
    }
    if (written == null
        || lastWrite == null
        || !UrgentStatus.of(written).equals(UrgentStatus.of(next))) {
      return Decision.WRITE;
    }
    Instant due = lastWrite.plus(interval);
    if (!now.isBefore(due)) {
      return Decision.WRITE;
    }
    return Decision.deferBy(Duration.between(now, due));
  }
}
