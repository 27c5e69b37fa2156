package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.PodTeardownEntry.Listed;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.rules.PressureRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one sweep into the pods' part of the node's status: pure, so that every rule is unit
 * tested. Pressure is judged per namespace against that namespace's own limit (pods keep the
 * kernel's default tcp_max_tw_buckets, not the node's), never a sum against the host's.
 */
public final class SweepSummarizer {

  /**
   * The longest message about one pod, in characters: a leak names at most {@value
   * PodTeardownEntry#MAX_HOLDERS} processes, and how many more.
   */
  public static final int MAX_POD_MESSAGE = 1024;

  private SweepSummarizer() {}

  /**
   * One counted namespace with what the agent knows of its pod and its leak state.
   *
   * @param holders the holders kept, most sockets first
   * @param holderCount every holder found, those kept and those beyond (exact)
   */
  public record PodInput(
      NamespaceCounts counts,
      Optional<PodMeta> meta,
      boolean leaking,
      List<CloseWaitHolders.Holder> holders,
      long holderCount,
      Optional<KernelCounters> previousCounters) {
    public PodInput {
      holders = List.copyOf(holders);
      holderCount = Math.max(holderCount, holders.size());
    }

    /** Every holder kept: the count is the list's. */
    public PodInput(
        NamespaceCounts counts,
        Optional<PodMeta> meta,
        boolean leaking,
        List<CloseWaitHolders.Holder> holders,
        Optional<KernelCounters> previousCounters) {
      this(counts, meta, leaking, holders, holders.size(), previousCounters);
    }
  }

  public static SweptPods summarize(List<PodInput> pods, int limit, Instant now) {
    StateCounts total = StateCounts.ZERO;
    List<String> pressure = new ArrayList<>();
    List<String> leaks = new ArrayList<>();
    Map<PodInput, Listed> problems = new LinkedHashMap<>();
    for (PodInput pod : pods) {
      total = total.plus(pod.counts().states());
      String name = name(pod);
      if (pod.leaking()) {
        leaks.add(leakMessage(name, pod));
        problems.put(pod, Listed.Leak);
      }
      pressureMessage(name, pod)
          .ifPresent(
              message -> {
                pressure.add(message);
                problems.putIfAbsent(pod, Listed.Pressure);
              });
    }
    List<PodInput> byTeardown = new ArrayList<>(pods);
    byTeardown.sort(
        Comparator.comparingLong((PodInput p) -> teardownSockets(p.counts()))
            .reversed()
            .thenComparing(SweepSummarizer::name));
    Map<PodInput, Listed> listed = new LinkedHashMap<>(problems);
    for (PodInput pod : byTeardown) {
      if (listed.size() >= Math.max(limit, problems.size())) {
        break;
      }
      listed.putIfAbsent(pod, Listed.Top);
    }
    List<PodTeardownEntry> entries = new ArrayList<>();
    listed.forEach((pod, why) -> entries.add(entry(pod, why, now)));
    return new SweptPods(total, entries, pods.size(), listed.size() < pods.size(), pressure, leaks);
  }

  /** The pod's namespace/name, or its UID, or its network namespace and a process. */
  public static String name(PodInput pod) {
    if (pod.meta().isPresent()) {
      return pod.meta().get().namespace() + "/" + pod.meta().get().name();
    }
    NetworkNamespaceRef ref = pod.counts().namespace();
    return ref.pod()
        .map(p -> "pod " + p.podUid())
        .orElse("network namespace " + ref.inode() + " (pid " + ref.firstPid() + ")");
  }

  /** The message of a suspected leak: the pod, its CLOSE_WAIT count, the holders, the meaning. */
  public static String leakMessage(PodInput pod) {
    return leakMessage(name(pod), pod);
  }

  private static String leakMessage(String name, PodInput pod) {
    long closeWait = pod.counts().states().closeWait();
    StringBuilder message =
        new StringBuilder("pod ")
            .append(name)
            .append(" holds ")
            .append(closeWait)
            .append(
                " CLOSE_WAIT sockets and the number has not fallen for three sweeps: the peer"
                    + " closed these connections and the application has not called close()");
    if (!pod.holders().isEmpty()) {
      message.append("; held by ");
      List<String> holders = new ArrayList<>();
      for (CloseWaitHolders.Holder holder : pod.holders()) {
        holders.add(
            "pid "
                + holder.pid()
                + " ("
                + SafeText.of(holder.command(), SafeText.MAX_COMMAND)
                + holder
                    .containerId()
                    .map(
                        c -> ", container " + SafeText.of(c.substring(0, Math.min(12, c.length()))))
                    .orElse("")
                + ") "
                + holder.sockets());
      }
      message.append(
          SafeText.join(
              holders, pod.holderCount(), ", ", PodTeardownEntry.MAX_HOLDERS, " processes"));
    }
    return SafeText.of(
        message
            .append(". Fix the application so that it closes sockets the peer has closed.")
            .toString(),
        MAX_POD_MESSAGE);
  }

  private static Optional<String> pressureMessage(String name, PodInput pod) {
    List<String> reasons = new ArrayList<>();
    NamespaceCounts counts = pod.counts();
    long timeWait = counts.states().timeWait();
    if (counts.maxTwBuckets().isPresent()) {
      long limit = counts.maxTwBuckets().getAsLong();
      if (PressureRule.reached(timeWait, limit)) {
        reasons.add(
            "TIME_WAIT "
                + timeWait
                + " is at or above "
                + PressureRule.PERCENT
                + "% of its own tcp_max_tw_buckets "
                + limit);
      }
    }
    if (pod.previousCounters().isPresent()) {
      KernelCounters before = pod.previousCounters().get();
      KernelCounters now = counts.counters();
      if (now.timeWaitOverflow() > before.timeWaitOverflow()) {
        reasons.add(
            "TCPTimeWaitOverflow rose by " + (now.timeWaitOverflow() - before.timeWaitOverflow()));
      }
      if (now.abortOnMemory() > before.abortOnMemory()) {
        reasons.add("TCPAbortOnMemory rose by " + (now.abortOnMemory() - before.abortOnMemory()));
      }
    }
    return reasons.isEmpty()
        ? Optional.empty()
        : Optional.of(
            SafeText.of("pod " + name + ": " + String.join(", ", reasons), MAX_POD_MESSAGE));
  }

  private static PodTeardownEntry entry(PodInput pod, Listed why, Instant now) {
    NamespaceCounts counts = pod.counts();
    List<PodTeardownEntry.CloseWaitHolder> holders = null;
    Long holderCount = null;
    if (pod.leaking() && !pod.holders().isEmpty()) {
      holders =
          pod.holders().stream()
              .limit(PodTeardownEntry.MAX_HOLDERS)
              .map(
                  h ->
                      new PodTeardownEntry.CloseWaitHolder(
                          h.pid(),
                          SafeText.of(h.command(), SafeText.MAX_COMMAND),
                          h.containerId()
                              .map(c -> SafeText.of(c, PodTeardownEntry.MAX_CONTAINER_ID))
                              .orElse(null),
                          h.sockets()))
              .toList();
      holderCount = pod.holderCount();
    }
    return new PodTeardownEntry(
        pod.meta().map(PodMeta::namespace).orElse(null),
        pod.meta().map(PodMeta::name).orElse(null),
        counts.namespace().pod().map(PodCgroup::podUid).orElse(null),
        counts.states(),
        counts.counters(),
        counts.maxTwBuckets().isPresent() ? counts.maxTwBuckets().getAsLong() : null,
        Math.max(0, Duration.between(counts.countedAt(), now).toSeconds()),
        holders,
        why,
        null,
        holderCount,
        null,
        counts.ehash().map(EhashTable::own).orElse(null),
        counts.ehash().filter(t -> t.buckets() > 0).map(EhashTable::buckets).orElse(null));
  }

  private static long teardownSockets(NamespaceCounts counts) {
    return counts.states().teardownSockets();
  }

  /** Per pod UID, the counters of this sweep, to compare with at the next. */
  public static Map<String, KernelCounters> countersByPod(List<NamespaceCounts> sweep) {
    Map<String, KernelCounters> counters = new HashMap<>();
    for (NamespaceCounts counts : sweep) {
      counts.namespace().pod().ifPresent(pod -> counters.put(pod.podUid(), counts.counters()));
    }
    return counters;
  }
}
