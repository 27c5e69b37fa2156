package io.tcpteardown.agent.pods;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which pods that should be tuned are still without a namespace, and since when: the tuning loop
 * looks again at the fast pace only while one of them has waited less than {@code maxWait}, so that
 * a pod that never gets a namespace (stuck before its sandbox) does not keep it there. Not
 * thread-safe: used on the loop's thread.
 */
final class WaitingPods {
  private final Duration maxWait;
  private final Map<String, Long> since = new HashMap<>();

  WaitingPods(Duration maxWait) {
    this.maxWait = maxWait;
  }

  /** Records the pods waiting after a pass at {@code nowNanos}; answers whether to look soon. */
  boolean lookSoon(Set<String> waiting, long nowNanos) {
    since.keySet().retainAll(waiting);
    waiting.forEach(uid -> since.putIfAbsent(uid, nowNanos));
    return since.values().stream().anyMatch(start -> nowNanos - start < maxWait.toNanos());
  }
}
