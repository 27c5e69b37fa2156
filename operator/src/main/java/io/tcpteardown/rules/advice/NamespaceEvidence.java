package io.tcpteardown.rules.advice;

import io.tcpteardown.api.ManagedSysctl;
import java.util.List;
import java.util.Map;

/**
 * What one network namespace (the node's, or a pod's) showed, as the advice rules read it. Every
 * count is of this namespace except where said.
 *
 * @param current the teardown sysctls as read in this namespace (tcp_max_orphans is node-wide); a
 *     missing key was not readable
 * @param ports the local port range connect() draws from
 * @param destinations TIME_WAIT and FIN_WAIT2 mini-sockets whose local port is in the range, by
 *     destination, exact for the destinations kept
 * @param otherDestinationSockets the sockets of destinations beyond those kept
 * @param destinationsTruncated whether destinations were left out (their sockets are in {@code
 *     otherDestinationSockets})
 * @param peakMiniSockets the most mini-sockets (sockstat's {@code tw}: TIME_WAIT and orphaned
 *     FIN_WAIT2) seen over the reports the evidence covers
 * @param timeWaitOverflowRise how much TCPTimeWaitOverflow rose since the previous report
 * @param abortOnMemoryRise how much TCPAbortOnMemory rose since the previous report
 * @param orphans orphaned sockets (inode 0) in FIN_WAIT1, FIN_WAIT2, LAST_ACK or CLOSING
 * @param unansweredOrphans orphans in FIN_WAIT1, LAST_ACK or CLOSING whose FIN was retransmitted
 *     (timer 1) or that probed a zero window (timer 4) at least {@link
 *     AdviceThresholds#UNANSWERED_RETRANSMITS} times
 * @param zeroWindowOrphans of those, the ones probing a zero window
 * @param mostRetransmits the most retransmits or probes of one of those orphans
 * @param finWait2Orphans orphans in FIN_WAIT2: full sockets and mini-sockets (timer 3) together
 * @param halfClosed FIN_WAIT2 sockets a process still owns (after shutdown()): not orphans
 * @param nodeMemoryBytes the node's memory, or null when unknown
 */
public record NamespaceEvidence(
    Map<ManagedSysctl, Long> current,
    PortRange ports,
    List<DestinationCount> destinations,
    long otherDestinationSockets,
    boolean destinationsTruncated,
    long peakMiniSockets,
    long timeWaitOverflowRise,
    long abortOnMemoryRise,
    long orphans,
    long unansweredOrphans,
    long zeroWindowOrphans,
    long mostRetransmits,
    long finWait2Orphans,
    long halfClosed,
    Long nodeMemoryBytes) {
  public NamespaceEvidence {
    current = Map.copyOf(current);
    destinations = List.copyOf(destinations);
  }

  /** Whether a kernel counter rose: advice about it shows at once. */
  public boolean counterRose() {
    return timeWaitOverflowRise > 0 || abortOnMemoryRise > 0;
  }
}
