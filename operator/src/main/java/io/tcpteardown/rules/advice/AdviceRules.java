package io.tcpteardown.rules.advice;

import static io.tcpteardown.rules.advice.AdviceThresholds.FIN_WAIT2_ORPHANS;
import static io.tcpteardown.rules.advice.AdviceThresholds.HALF_CLOSED_NOTE;
import static io.tcpteardown.rules.advice.AdviceThresholds.KERNEL_ORPHAN_RETRIES_FOR_ZERO;
import static io.tcpteardown.rules.advice.AdviceThresholds.MAX_MESSAGE;
import static io.tcpteardown.rules.advice.AdviceThresholds.PORTS_PERCENT;
import static io.tcpteardown.rules.advice.AdviceThresholds.SUGGESTED_FIN_TIMEOUT_SECONDS;
import static io.tcpteardown.rules.advice.AdviceThresholds.SUGGESTED_ORPHAN_RETRIES;
import static io.tcpteardown.rules.advice.AdviceThresholds.TIME_WAIT_MEMORY_PERCENT;
import static io.tcpteardown.rules.advice.AdviceThresholds.TIME_WAIT_SOCKET_BYTES;
import static io.tcpteardown.rules.advice.AdviceThresholds.TW_BUCKETS_HEADROOM;
import static io.tcpteardown.rules.advice.AdviceThresholds.UNANSWERED_ORPHANS;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.SettingRanges;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.rules.PressureRule;
import io.tcpteardown.rules.SafetyRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The source article's knowledge as rules: from what one namespace shows, which teardown value to
 * change and why. Pure; each rule is one method; every suggestion passes the one validation path
 * ({@link SafetyRules#validateSettings(TeardownSettings, String, Long)}) or is not made. CLOSE_WAIT
 * never makes advice: it is an application that does not close, which no sysctl fixes.
 */
public final class AdviceRules {
  private AdviceRules() {}

  /** Every piece of advice the evidence supports, at most one per field. */
  public static List<Advice> advise(NamespaceEvidence evidence) {
    List<Advice> advice = new ArrayList<>();
    unsafeReuse(evidence).ifPresent(a -> add(advice, List.of(a), evidence));
    add(advice, portsTowardOneDestination(evidence), evidence);
    timeWaitTable(evidence).ifPresent(a -> add(advice, List.of(a), evidence));
    unansweredFins(evidence).ifPresent(a -> add(advice, List.of(a), evidence));
    orphansInFinWait2(evidence).ifPresent(a -> add(advice, List.of(a), evidence));
    // A value out of range that no rule above advised on is brought back into it.
    for (ManagedSysctl field :
        List.of(
            ManagedSysctl.ORPHAN_RETRIES,
            ManagedSysctl.FIN_TIMEOUT,
            ManagedSysctl.MAX_ORPHANS,
            ManagedSysctl.MAX_TW_BUCKETS)) {
      unsafeRange(evidence, field).ifPresent(a -> add(advice, List.of(a), evidence));
    }
    return List.copyOf(advice);
  }

  /** Adds a rule's advice, as one group, where no earlier rule took its fields and it is safe. */
  private static void add(List<Advice> advice, List<Advice> group, NamespaceEvidence evidence) {
    List<Advice> fresh =
        group.stream().filter(g -> advice.stream().noneMatch(a -> a.field() == g.field())).toList();
    if (!fresh.isEmpty() && accepted(advice, fresh, evidence)) {
      advice.addAll(fresh);
    }
  }

  /**
   * Whether the suggested values, together with the advice already given and the values left as
   * they are, pass every safety rule, the node's memory included.
   */
  static boolean accepted(List<Advice> given, List<Advice> group, NamespaceEvidence evidence) {
    TeardownSettings settings = TeardownSettings.NONE;
    for (Advice a : given) {
      settings = settings.with(a.field(), a.suggested());
    }
    for (Advice a : group) {
      settings = settings.with(a.field(), a.suggested());
    }
    if (settings.twReuse() != null && settings.timestamps() == null) {
      Long timestamps = evidence.current().get(ManagedSysctl.TIMESTAMPS);
      if (timestamps != null && timestamps == 0) {
        settings = settings.with(ManagedSysctl.TIMESTAMPS, Timestamps.Disabled);
      }
    }
    return SafetyRules.validateSettings(settings, "", evidence.nodeMemoryBytes()).isEmpty();
  }

  /**
   * Rule 1: one destination holds half the usable local port range or more in TIME_WAIT, and reuse
   * is not on: every connect() to it scans past the ports TIME_WAIT holds, and at the whole range
   * fails with EADDRNOTAVAIL. Reuse takes a TIME_WAIT port for a new outgoing connection when
   * timestamps prove it safe, on both ends.
   */
  static List<Advice> portsTowardOneDestination(NamespaceEvidence evidence) {
    long usable = evidence.ports().usable();
    Long reuse = evidence.current().get(ManagedSysctl.TW_REUSE);
    if (usable <= 0 || (reuse != null && reuse == TwReuse.Enabled.sysctlValue())) {
      return List.of();
    }
    Optional<DestinationCount> busiest =
        evidence.destinations().stream()
            .filter(d -> d.sockets() * 100 >= usable * PORTS_PERCENT)
            .max(Comparator.comparingLong(DestinationCount::sockets));
    if (busiest.isEmpty()) {
      return List.of();
    }
    DestinationCount top = busiest.get();
    String message =
        top.sockets()
            + " sockets in TIME_WAIT toward "
            + top.destination()
            + " hold "
            + percent(top.sockets(), usable)
            + "% of the local port range "
            + evidence.ports()
            + " ("
            + usable
            + " ports): past half every connect() to it scans the range, and at all of it connect() fails"
            + " with EADDRNOTAVAIL; twReuse: Enabled reuses TIME_WAIT ports for outgoing connections,"
            + " which needs timestamps on here and at the remote end";
    List<Advice> advice = new ArrayList<>();
    advice.add(
        new Advice(
            AdviceReason.PortsTowardOneDestination,
            ManagedSysctl.TW_REUSE,
            reuse,
            TwReuse.Enabled,
            cap(message)));
    Long timestamps = evidence.current().get(ManagedSysctl.TIMESTAMPS);
    if (timestamps != null && timestamps == Timestamps.Disabled.sysctlValue()) {
      advice.add(
          new Advice(
              AdviceReason.PortsTowardOneDestination,
              ManagedSysctl.TIMESTAMPS,
              timestamps,
              Timestamps.Enabled,
              cap(message)));
    }
    return advice;
  }

  /**
   * Rule 2: the TIME_WAIT table (TIME_WAIT and orphaned FIN_WAIT2 mini-sockets) at 90% of
   * tcp_max_tw_buckets, or overflowing: closing sockets then skip TIME_WAIT, which the article
   * calls necessary (it stops stray segments of an old connection from corrupting a new one), so
   * the table is made larger and TIME_WAIT is never shortened. About twice the peak, within the
   * schema's range and a share of the node's memory.
   */
  static Optional<Advice> timeWaitTable(NamespaceEvidence evidence) {
    Long limit = evidence.current().get(ManagedSysctl.MAX_TW_BUCKETS);
    if (limit == null) {
      return Optional.empty();
    }
    boolean near = PressureRule.reached(evidence.peakMiniSockets(), limit);
    if (!near && evidence.timeWaitOverflowRise() <= 0) {
      return Optional.empty();
    }
    long wanted =
        Math.max(evidence.peakMiniSockets(), limit) > Long.MAX_VALUE / TW_BUCKETS_HEADROOM
            ? Long.MAX_VALUE
            : Math.max(evidence.peakMiniSockets(), limit) * TW_BUCKETS_HEADROOM;
    long ceiling = SettingRanges.MAX_TW_BUCKETS_MAX;
    if (evidence.nodeMemoryBytes() != null && evidence.nodeMemoryBytes() > 0) {
      ceiling =
          Math.min(
              ceiling,
              evidence.nodeMemoryBytes() / 100 * TIME_WAIT_MEMORY_PERCENT / TIME_WAIT_SOCKET_BYTES);
    }
    long suggested = Math.max(SettingRanges.MAX_TW_BUCKETS_MIN, Math.min(wanted, ceiling));
    if (suggested <= limit) {
      return Optional.empty();
    }
    String message =
        evidence.peakMiniSockets()
            + " TIME_WAIT and orphaned FIN_WAIT2 mini-sockets against tcp_max_tw_buckets "
            + limit
            + (evidence.timeWaitOverflowRise() > 0
                ? ", TCPTimeWaitOverflow rose by " + evidence.timeWaitOverflowRise()
                : "")
            + ": beyond the limit closing sockets skip TIME_WAIT, which guards new connections against"
            + " an old one's segments; "
            + suggested
            + " holds twice the peak"
            + (suggested < wanted
                ? " as far as " + TIME_WAIT_MEMORY_PERCENT + "% of memory allows"
                : "")
            + " at "
            + TIME_WAIT_SOCKET_BYTES
            + " bytes each ("
            + suggested * TIME_WAIT_SOCKET_BYTES / (1024 * 1024)
            + " MiB); shortening TIME_WAIT is not offered";
    return Optional.of(
        new Advice(
            AdviceReason.TimeWaitTableFull,
            ManagedSysctl.MAX_TW_BUCKETS,
            limit,
            (int) suggested,
            cap(message)));
  }

  /**
   * Rule 3: orphans whose FINs (or zero-window probes) go unanswered hold memory until
   * tcp_orphan_retries gives up; it governs orphans only (a socket its process still owns uses
   * tcp_retries2: kernel tcp_write_timeout()). Where orphans near tcp_max_orphans or
   * TCPAbortOnMemory rises, maxOrphans is the backstop within the memory rule, not a value to raise
   * blindly.
   */
  static Optional<Advice> unansweredFins(NamespaceEvidence evidence) {
    if (evidence.unansweredOrphans() < UNANSWERED_ORPHANS) {
      return Optional.empty();
    }
    Long current = evidence.current().get(ManagedSysctl.ORPHAN_RETRIES);
    long effective =
        current == null || current == 0 ? KERNEL_ORPHAN_RETRIES_FOR_ZERO : (long) current;
    if (effective <= SUGGESTED_ORPHAN_RETRIES) {
      return Optional.empty();
    }
    Long maxOrphans = evidence.current().get(ManagedSysctl.MAX_ORPHANS);
    boolean nearMax = maxOrphans != null && PressureRule.reached(evidence.orphans(), maxOrphans);
    String message =
        evidence.unansweredOrphans()
            + " orphans in FIN_WAIT1, LAST_ACK or CLOSING wait on peers that do not answer ("
            + evidence.zeroWindowOrphans()
            + " probing a zero window; up to "
            + evidence.mostRetransmits()
            + " retransmits or probes): tcp_orphan_retries "
            + (current == null ? "(unread)" : current)
            + (current != null && current == 0
                ? " means " + KERNEL_ORPHAN_RETRIES_FOR_ZERO + " retransmits"
                : "")
            + " keeps each for up to minutes; "
            + SUGGESTED_ORPHAN_RETRIES
            + " gives up after about 3 s of silence. It governs orphans only: sockets a process"
            + " still owns use tcp_retries2"
            + (nearMax || evidence.abortOnMemoryRise() > 0
                ? "; orphans are near tcp_max_orphans "
                    + maxOrphans
                    + (evidence.abortOnMemoryRise() > 0
                        ? " (TCPAbortOnMemory rose by " + evidence.abortOnMemoryRise() + ")"
                        : "")
                    + ": maxOrphans is the backstop, within the node's memory rule, not a value to"
                    + " raise blindly"
                : "");
    return Optional.of(
        new Advice(
            AdviceReason.UnansweredFins,
            ManagedSysctl.ORPHAN_RETRIES,
            current,
            SUGGESTED_ORPHAN_RETRIES,
            cap(message)));
  }

  /**
   * Rule 4: many orphans in FIN_WAIT2, as full sockets or as mini-sockets (with tcp_fin_timeout at
   * most 60 the kernel turns an orphaned FIN_WAIT2 socket into one: tcp_close()), wait for a FIN
   * that does not come, each for tcp_fin_timeout. Half-closed sockets a process owns are not
   * orphans: no sysctl times them out.
   */
  static Optional<Advice> orphansInFinWait2(NamespaceEvidence evidence) {
    if (evidence.finWait2Orphans() < FIN_WAIT2_ORPHANS) {
      return Optional.empty();
    }
    Long current = evidence.current().get(ManagedSysctl.FIN_TIMEOUT);
    if (current != null && current <= SUGGESTED_FIN_TIMEOUT_SECONDS) {
      return Optional.empty();
    }
    String message =
        evidence.finWait2Orphans()
            + " orphans wait in FIN_WAIT2 (full and mini-sockets) for a FIN that does not come, each"
            + " for tcp_fin_timeout "
            + (current == null ? "(unread)" : current + " s")
            + "; "
            + SUGGESTED_FIN_TIMEOUT_SECONDS
            + " s halves how many pile up and stays far above any round trip"
            + (evidence.halfClosed() >= HALF_CLOSED_NOTE
                ? "; the "
                    + evidence.halfClosed()
                    + " half-closed sockets that processes still own (shutdown()) are not orphans and"
                    + " no sysctl times them out"
                : "");
    return Optional.of(
        new Advice(
            AdviceReason.OrphansInFinWait2,
            ManagedSysctl.FIN_TIMEOUT,
            current,
            SUGGESTED_FIN_TIMEOUT_SECONDS,
            cap(message)));
  }

  /**
   * Rule 6: current values that break a safety rule, set outside this product: reuse with
   * timestamps off (reuse then does nothing and is unsafe), or a value outside the schema's range,
   * advised back into it.
   */
  static Optional<Advice> unsafeReuse(NamespaceEvidence evidence) {
    Long reuse = evidence.current().get(ManagedSysctl.TW_REUSE);
    Long timestamps = evidence.current().get(ManagedSysctl.TIMESTAMPS);
    if (reuse != null
        && reuse != TwReuse.Disabled.sysctlValue()
        && timestamps != null
        && timestamps == Timestamps.Disabled.sysctlValue()) {
      return Optional.of(
          new Advice(
              AdviceReason.UnsafeCurrentValue,
              ManagedSysctl.TIMESTAMPS,
              timestamps,
              Timestamps.Enabled,
              cap(
                  "tcp_tw_reuse is "
                      + ManagedSysctl.TW_REUSE.displayValue(reuse)
                      + " but tcp_timestamps is 0: reuse only happens, and is only safe, with"
                      + " timestamps on at both ends; set by something other than this product")));
    }
    return Optional.empty();
  }

  /** Rule 6 for a number outside the schema's range: advised to the nearest end of it. */
  static Optional<Advice> unsafeRange(NamespaceEvidence evidence, ManagedSysctl field) {
    Long value = evidence.current().get(field);
    long[] range = range(field);
    if (value == null || (value >= range[0] && value <= range[1])) {
      return Optional.empty();
    }
    long inside = Math.max(range[0], Math.min(range[1], value));
    return Optional.of(
        new Advice(
            AdviceReason.UnsafeCurrentValue,
            field,
            value,
            (int) inside,
            cap(
                field.fileName()
                    + " is "
                    + value
                    + ", outside the safe range "
                    + range[0]
                    + ".."
                    + range[1]
                    + "; set by something other than this product")));
  }

  private static long[] range(ManagedSysctl field) {
    return switch (field) {
      case ORPHAN_RETRIES ->
          new long[] {SettingRanges.ORPHAN_RETRIES_MIN, SettingRanges.ORPHAN_RETRIES_MAX};
      case FIN_TIMEOUT -> new long[] {SettingRanges.FIN_TIMEOUT_MIN, SettingRanges.FIN_TIMEOUT_MAX};
      case MAX_ORPHANS -> new long[] {SettingRanges.MAX_ORPHANS_MIN, SettingRanges.MAX_ORPHANS_MAX};
      case MAX_TW_BUCKETS ->
          new long[] {SettingRanges.MAX_TW_BUCKETS_MIN, SettingRanges.MAX_TW_BUCKETS_MAX};
      default -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
    };
  }

  private static long percent(long part, long whole) {
    return whole <= 0 ? 0 : part * 100 / whole;
  }

  private static String cap(String message) {
    return SafeText.of(message, MAX_MESSAGE);
  }
}
