package io.tcpteardown.agent.pods;

import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.SettingRanges;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Advice to set childEhashEntries: on a node where one pod sweep costs more than {@value
 * #ADVICE_PERCENT}% of what the CPU budget affords per shortest sweep interval, while pods share
 * the node's TCP established hash table (every dump in such a pod walks every socket of the node).
 * Pure: the measured cost and the listed pods in, the message out.
 */
public final class EhashAdvice {
  /** The share of the budget per shortest interval a sweep may cost before the advice is given. */
  public static final int ADVICE_PERCENT = 50;

  /** The value advised: eight times the floor, a table of 65,536 buckets (512 KiB per pod). */
  public static final int SUGGESTED = SettingRanges.CHILD_EHASH_ENTRIES_FLOOR * 8;

  private EhashAdvice() {}

  /**
   * @param sweepCpu the CPU the last sweep used
   * @param summary the last sweep's pods (only listed pods say whose table they use)
   * @param pacer the sweep budget (share of a core) and shortest interval
   */
  public static Optional<String> advise(Duration sweepCpu, SweptPods summary, SweepPacer pacer) {
    List<PodTeardownEntry> sharing =
        summary.entries().stream().filter(e -> Boolean.FALSE.equals(e.ownEhash())).toList();
    long affordable = (long) (pacer.budget() * pacer.minimum().toNanos());
    if (sharing.isEmpty() || sweepCpu.toNanos() * 100 <= affordable * (long) ADVICE_PERCENT) {
      return Optional.empty();
    }
    long sharedBuckets =
        sharing.stream()
            .map(PodTeardownEntry::ehashBuckets)
            .filter(b -> b != null)
            .mapToLong(Long::longValue)
            .max()
            .orElse(0);
    long percent = sweepCpu.toNanos() * 100 / Math.max(1, affordable);
    int suggested = SUGGESTED;
    return Optional.of(
        "the last pod sweep used "
            + sweepCpu.toMillis()
            + " ms of CPU for "
            + summary.podNamespaces()
            + " pod namespaces, "
            + percent
            + "% of what the budget affords per shortest interval ("
            + Duration.ofNanos(affordable).toMillis()
            + " ms: "
            + pacer.budget()
            + " of a core over "
            + pacer.minimum().toSeconds()
            + " s), and "
            + sharing.size()
            + " of the pods listed share the node's TCP hash table"
            + (sharedBuckets > 0 ? " of " + sharedBuckets + " buckets" : "")
            + ", so each of their dumps walks every socket of the node. Set childEhashEntries in"
            + " a profile selecting this node (for example "
            + suggested
            + "): pods created afterwards get their own table and a dump walks only their own"
            + " sockets; existing pods keep the shared table until recreated. Their TIME_WAIT"
            + " limit (tcp_max_tw_buckets) then defaults to half their table ("
            + suggested / 2
            + " with "
            + suggested
            + (sharedBuckets > 0 ? ", against " + sharedBuckets / 2 + " with the shared table" : "")
            + ") unless spec.pods sets maxTwBuckets for them (see docs/pod-hash-tables.md)");
  }
}
