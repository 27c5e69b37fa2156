package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.count.CountMethod;
import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.agent.count.NamespaceLook;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one sweep saw in one network namespace.
 *
 * @param namespace the namespace and its pod
 * @param states the six teardown states, with the namespace's own orphans (no owning process)
 * @param counters the namespace's own TCPTimeWaitOverflow and TCPAbortOnMemory
 * @param maxTwBuckets the namespace's own tcp_max_tw_buckets (pods keep the kernel's default)
 * @param method how its sockets were counted
 * @param countedAt when the namespace was counted
 * @param ehash whether the namespace has its own TCP established hash table or shares the host's
 *     (then its dump walked every socket of the node), and its size; empty when it could not be
 *     read
 * @param adviceLook the look the counts come from, where it gathered the advice's details (netlink
 *     and a readable port range): what the pod's advice is judged on
 */
public record NamespaceCounts(
    NetworkNamespaceRef namespace,
    StateCounts states,
    KernelCounters counters,
    OptionalLong maxTwBuckets,
    CountMethod method,
    Instant countedAt,
    Optional<EhashTable> ehash,
    Optional<NamespaceLook> adviceLook) {

  public NamespaceCounts(
      NetworkNamespaceRef namespace,
      StateCounts states,
      KernelCounters counters,
      OptionalLong maxTwBuckets,
      CountMethod method,
      Instant countedAt,
      Optional<EhashTable> ehash) {
    this(namespace, states, counters, maxTwBuckets, method, countedAt, ehash, Optional.empty());
  }

  /** Counts without the namespace's hash table. */
  public NamespaceCounts(
      NetworkNamespaceRef namespace,
      StateCounts states,
      KernelCounters counters,
      OptionalLong maxTwBuckets,
      CountMethod method,
      Instant countedAt) {
    this(namespace, states, counters, maxTwBuckets, method, countedAt, Optional.empty());
  }

  static NamespaceCounts of(
      NetworkNamespaceRef namespace,
      NamespaceLook look,
      Optional<EhashTable> ehash,
      Instant countedAt) {
    return new NamespaceCounts(
        namespace,
        look.states(),
        look.counters(),
        look.sysctl(ManagedSysctl.MAX_TW_BUCKETS)
            .map(OptionalLong::of)
            .orElse(OptionalLong.empty()),
        look.countMethod(),
        countedAt,
        ehash,
        look.details().isPresent() ? Optional.of(look) : Optional.empty());
  }
}
