package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;

/**
 * The widest values a node's kernel can genuinely hold for each managed sysctl: the sanity bound
 * for an original value the agent did not read from the kernel itself (one adopted from {@code
 * status.original}). Deliberately not the profiles' ranges: a node's genuine original may lie
 * outside them. From net/ipv4/sysctl_net_ipv4.c (Linux 6.x) and checked on this kernel in a network
 * namespace: tcp_child_ehash_entries is unsigned with extra2 = 16 Mi (16777217 is refused),
 * tcp_orphan_retries and tcp_timestamps are u8 without further bounds (0..255; 256 is refused, 3 is
 * kept), tcp_tw_reuse is u8 with extra2 = 2 (3 is refused), tcp_fin_timeout, tcp_max_tw_buckets and
 * tcp_max_orphans are ints. The kernel also keeps a negative tcp_fin_timeout or tcp_max_tw_buckets,
 * which means nothing; the bound stops at 0.
 */
public record KernelBounds(long min, long max, String source) {

  public static KernelBounds of(ManagedSysctl sysctl) {
    return switch (sysctl) {
      case ORPHAN_RETRIES -> new KernelBounds(0, 255, "the kernel keeps it in one byte");
      case FIN_TIMEOUT ->
          new KernelBounds(0, Integer.MAX_VALUE, "a non-negative int in the kernel");
      case MAX_ORPHANS, MAX_TW_BUCKETS ->
          new KernelBounds(0, Integer.MAX_VALUE, "a non-negative int in the kernel");
      case TW_REUSE -> new KernelBounds(0, 2, "the kernel refuses anything above 2");
      case TIMESTAMPS -> new KernelBounds(0, 255, "the kernel keeps it in one byte");
      case CHILD_EHASH_ENTRIES ->
          new KernelBounds(0, 16 * 1024 * 1024, "the kernel refuses anything above 16777216");
    };
  }

  public boolean contains(long value) {
    return value >= min && value <= max;
  }

  public String describe() {
    return min + ".." + max + " (" + source + ")";
  }
}
