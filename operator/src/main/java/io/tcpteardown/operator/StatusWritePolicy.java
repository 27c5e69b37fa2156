package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * When a profile's newly computed status is written. What a user acts on is written at once: the
 * observed generation, the number of selected nodes and each condition's status and reason. The
 * live part (totals, per-node counts and entries, applied node count, pod summary, the messages,
 * which carry counts such as a node's TIME_WAIT) changes on almost every agent report: it is
 * written at most once per {@code interval} per profile, and a change held back is written when the
 * interval ends, so the latest counts are never more than one interval old.
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
    if (written == null || lastWrite == null || !urgent(written).equals(urgent(next))) {
      return Decision.WRITE;
    }
    Instant due = lastWrite.plus(interval);
    if (!now.isBefore(due)) {
      return Decision.WRITE;
    }
    return Decision.deferBy(Duration.between(now, due));
  }

  /** The part of a status written at once when it changes. */
  record Urgent(Long observedGeneration, Integer selectedNodes, List<List<String>> conditions) {}

  static Urgent urgent(TcpTeardownProfileStatus status) {
    List<Condition> conditions = status.conditions() == null ? List.of() : status.conditions();
    return new Urgent(
        status.observedGeneration(),
        status.selectedNodes(),
        conditions.stream()
            .filter(Objects::nonNull)
            .map(
                c ->
                    java.util.Arrays.asList(
                        c.getType(),
                        c.getStatus(),
                        c.getReason(),
                        c.getObservedGeneration() == null
                            ? null
                            : String.valueOf(c.getObservedGeneration())))
            .toList());
  }
}
