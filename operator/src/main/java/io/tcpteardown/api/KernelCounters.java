package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Kernel counters (TcpExt in /proc/net/netstat) that show teardown trouble; they only ever grow.
 */
public record KernelCounters(
    @JsonPropertyDescription(
            "TCPTimeWaitOverflow: sockets that skipped TIME_WAIT because tcp_max_tw_buckets was full.")
        long timeWaitOverflow,
    @JsonPropertyDescription(
            "TCPAbortOnMemory: connections reset because of too many orphans or TCP memory pressure.")
        long abortOnMemory) {

  public static final KernelCounters ZERO = new KernelCounters(0, 0);
}
