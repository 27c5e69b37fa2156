package io.tcpteardown.agent;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The agent's latest look at the kernel and how fresh it is. A failed count keeps the numbers of
 * the last successful one, marked stale with the failure and its time.
 *
 * @param observation the last successful look; null when none succeeded yet
 * @param countedAt when it was taken; null when none succeeded yet
 * @param failure why the latest count failed; null when it succeeded
 */
public record LatestCount(NodeObservation observation, Instant countedAt, String failure) {
  public static final LatestCount NONE = new LatestCount(null, null, null);

  public static LatestCount of(NodeObservation observation, Instant at) {
    return new LatestCount(observation, at, null);
  }

  /** After a failed count: the same numbers, now stale. */
  public LatestCount failed(String why) {
    return new LatestCount(observation, countedAt, why == null ? "unknown error" : why);
  }

  public boolean stale() {
    return failure != null;
  }

  /** For status.countError: why, and how old the numbers shown are at {@code now}. */
  public String describeFailure(Instant now) {
    if (failure == null) {
      return null;
    }
    if (countedAt == null) {
      return "counting teardown states failed: " + failure + "; no count has succeeded yet";
    }
    long age = Duration.between(countedAt, now).toSeconds();
    return "counting teardown states failed: "
        + failure
        + "; states and counters shown are stale, from "
        + countedAt.truncatedTo(ChronoUnit.SECONDS)
        + " ("
        + age
        + " s old)";
  }
}
