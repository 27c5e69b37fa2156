package io.tcpteardown.agent.pods;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which pods leak CLOSE_WAIT: a pod whose CLOSE_WAIT count is at or above the threshold and
 * has not fallen across {@value #SWEEPS} consecutive sweeps is a suspected leak; it stops being one
 * when the count falls below the threshold. An Event is due when a leak is first suspected and
 * again each time it has grown by half since the last Event. Pure: the caller feeds it one sweep at
 * a time.
 */
public final class CloseWaitLeaks {
  static final int SWEEPS = 3;

  /** What one sweep concluded for a pod. */
  public record Verdict(String podUid, long closeWait, boolean leaking, boolean eventDue) {}

  private record History(List<Long> counts, long lastEventAt) {}

  private final long threshold;
  private final Map<String, History> histories = new HashMap<>();

  public CloseWaitLeaks(long threshold) {
    this.threshold = threshold;
  }

  /**
   * One sweep's CLOSE_WAIT count per pod UID; pods absent from it are forgotten. Returns a verdict
   * for every pod of the sweep.
   */
  public List<Verdict> observe(Map<String, Long> closeWaitByPod) {
    histories.keySet().retainAll(Set.copyOf(closeWaitByPod.keySet()));
    List<Verdict> verdicts = new ArrayList<>();
    closeWaitByPod.forEach(
        (uid, count) -> {
          History before = histories.getOrDefault(uid, new History(List.of(), 0));
          List<Long> counts = new ArrayList<>(before.counts());
          counts.add(count);
          if (counts.size() > SWEEPS) {
            counts.removeFirst();
          }
          boolean leaking = counts.size() == SWEEPS && notFalling(counts);
          long lastEventAt = count < threshold ? 0 : before.lastEventAt();
          boolean eventDue = leaking && (lastEventAt == 0 || count * 2 >= lastEventAt * 3);
          if (eventDue) {
            lastEventAt = count;
          }
          histories.put(uid, new History(List.copyOf(counts), lastEventAt));
          verdicts.add(new Verdict(uid, count, leaking, eventDue));
        });
    return verdicts;
  }

  private boolean notFalling(List<Long> counts) {
    for (int i = 0; i < counts.size(); i++) {
      if (counts.get(i) < threshold || (i > 0 && counts.get(i) < counts.get(i - 1))) {
        return false;
      }
    }
    return true;
  }
}
