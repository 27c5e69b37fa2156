package io.tcpteardown.agent;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.rules.PressureRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Warnings about a node's teardown state, shared by the agent's conditions and {@code node-report}:
 * reuse that does nothing because timestamps are off, and TIME_WAIT or orphans near their limits.
 */
public final class NodeWarnings {

  /** The reason of the agent's ReuseIneffective condition for the same finding. */
  public static final String REUSE_WITHOUT_TIMESTAMPS = NodeConditions.REASON_TIMESTAMPS_OFF;

  public static final String TIME_WAIT_NEAR_LIMIT = NodeConditions.REASON_TIME_WAIT_NEAR_LIMIT;
  public static final String ORPHANS_NEAR_LIMIT = NodeConditions.REASON_ORPHANS_NEAR_LIMIT;

  public record Warning(String kind, String message) {}

  private NodeWarnings() {}

  public static List<Warning> of(NodeObservation observation) {
    List<Warning> warnings = new ArrayList<>();
    reuseWithoutTimestamps(observation).ifPresent(warnings::add);
    pressure(observation).forEach(warnings::add);
    return warnings;
  }

  /**
   * tcp_tw_reuse 1 or 2 while tcp_timestamps is 0: the kernel never reuses a TIME_WAIT port then.
   */
  public static Optional<Warning> reuseWithoutTimestamps(NodeObservation observation) {
    long reuse = observation.sysctl(ManagedSysctl.TW_REUSE).orElse(0L);
    long timestamps = observation.sysctl(ManagedSysctl.TIMESTAMPS).orElse(1L);
    if (reuse == 0 || timestamps != 0) {
      return Optional.empty();
    }
    return Optional.of(
        new Warning(
            REUSE_WITHOUT_TIMESTAMPS,
            "net.ipv4.tcp_tw_reuse is "
                + reuse
                + " but net.ipv4.tcp_timestamps is 0: TIME_WAIT ports are only reused with timestamps on (on both ends), "
                + "so reuse does nothing here; set timestamps to Enabled or EnabledWithoutOffsets"));
  }

  /**
   * TIME_WAIT at or above 90% of tcp_max_tw_buckets, orphans at or above 90% of tcp_max_orphans.
   */
  public static List<Warning> pressure(NodeObservation observation) {
    List<Warning> warnings = new ArrayList<>();
    observation
        .sysctl(ManagedSysctl.MAX_TW_BUCKETS)
        .filter(max -> PressureRule.reached(observation.states().timeWait(), max))
        .ifPresent(
            max ->
                warnings.add(
                    new Warning(
                        TIME_WAIT_NEAR_LIMIT,
                        observation.states().timeWait()
                            + " sockets in TIME_WAIT, at or above "
                            + PressureRule.PERCENT
                            + "% of net.ipv4.tcp_max_tw_buckets ("
                            + max
                            + "): beyond it closing sockets skip TIME_WAIT (TCPTimeWaitOverflow); raise maxTwBuckets "
                            + "or enable twReuse for outgoing connections")));
    observation
        .sysctl(ManagedSysctl.MAX_ORPHANS)
        .filter(max -> PressureRule.reached(observation.states().orphans(), max))
        .ifPresent(
            max ->
                warnings.add(
                    new Warning(
                        ORPHANS_NEAR_LIMIT,
                        observation.states().orphans()
                            + " orphaned sockets, at or above "
                            + PressureRule.PERCENT
                            + "% of net.ipv4.tcp_max_orphans ("
                            + max
                            + "): beyond it new orphans are reset (TCPAbortOnMemory); lower finTimeoutSeconds and orphanRetries "
                            + "or raise maxOrphans if memory allows")));
    return warnings;
  }
}
