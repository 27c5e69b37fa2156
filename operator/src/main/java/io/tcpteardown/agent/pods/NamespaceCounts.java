package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.agent.count.SocketStates;
import io.tcpteardown.api.KernelCounters;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * What one sweep saw in one network namespace.
 *
 * @param namespace the namespace and its pod
 * @param states the six teardown states, with the namespace's own orphans (no owning process)
 * @param counters the namespace's own TCPTimeWaitOverflow and TCPAbortOnMemory
 * @param maxTwBuckets the namespace's own tcp_max_tw_buckets (pods keep the kernel's default)
 * @param ehash whether the namespace has a TCP hash table of its own or shares the host's (then its
 *     dump walked every socket of the node)
 * @param method "netlink" or "proc"
 * @param countedAt when the namespace was counted
 */
public record NamespaceCounts(
    NetworkNamespaceRef namespace,
    SocketStates states,
    KernelCounters counters,
    OptionalLong maxTwBuckets,
    EhashTable ehash,
    String method,
    Instant countedAt) {}
