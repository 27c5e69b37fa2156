package io.tcpteardown.events;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per involved object: each object may have {@code burst} Events at once, then one
 * more per {@code refill}. At most {@code tracked} objects are remembered (least recently used
 * forgotten, and start again with a full bucket), so memory is bounded whatever the number of
 * objects. Not thread-safe: the recorder calls it under its lock.
 */
final class ObjectRateLimit {
  private final int burst;
  private final long refillNanos;
  private final Map<String, Bucket> buckets;

  /** What one request was told. */
  enum Answer {
    ALLOWED,
    /** Refused, and the object's first refusal since it was last allowed. */
    FIRST_REFUSED,
    REFUSED
  }

  private static final class Bucket {
    double tokens;
    long at;
    boolean refusing;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  ObjectRateLimit(int burst, Duration refill, int tracked) {
    if (burst < 1 || refill.isNegative() || refill.isZero() || tracked < 1) {
      throw new IllegalArgumentException("burst, refill and tracked must be positive");
    }
    this.burst = burst;
    this.refillNanos = refill.toNanos();
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > tracked;
          }
        };
  }

  /** Takes one token of {@code object}'s bucket at {@code nanos} (a monotonic time). */
  Answer take(String object, long nanos) {
    Bucket bucket = buckets.computeIfAbsent(object, k -> new Bucket(burst, nanos));
    long elapsed = Math.max(0, nanos - bucket.at);
    bucket.tokens = Math.min(burst, bucket.tokens + (double) elapsed / refillNanos);
    bucket.at = nanos;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refusing = false;
      return Answer.ALLOWED;
    }
    boolean first = !bucket.refusing;
    bucket.refusing = true;
    return first ? Answer.FIRST_REFUSED : Answer.REFUSED;
  }

  int tracked() {
    return buckets.size();
  }
}
