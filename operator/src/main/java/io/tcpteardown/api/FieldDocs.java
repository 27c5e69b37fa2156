package io.tcpteardown.api;

/** Descriptions shown by {@code kubectl explain}, shared by the profile and node specs. */
final class FieldDocs {
  static final String ORPHAN_RETRIES =
      "net.ipv4.tcp_orphan_retries, 0..15 (0 means the kernel's 8). How many "
          + "times an orphaned socket (one its process closed) retransmits an unacknowledged FIN, or probes a "
          + "zero window, in FIN_WAIT1, LAST_ACK and CLOSING; a socket a process still owns uses "
          + "net.ipv4.tcp_retries2 instead. Lower it where orphans pile up in FIN_WAIT1 (peers that stop "
          + "answering). Per network namespace.";
  static final String FIN_TIMEOUT =
      "net.ipv4.tcp_fin_timeout, 5..120 seconds. How long a socket closed with "
          + "close() (an orphan) may wait in FIN_WAIT2 for the peer's FIN. Kernel default 60. Per network namespace.";
  static final String MAX_ORPHANS =
      "net.ipv4.tcp_max_orphans, 1024..4194304. Above this many orphaned sockets "
          + "new orphans are reset instead of closed gracefully; each orphan can pin about 64 KiB of unswappable "
          + "memory, so a node must have maxOrphans x 64 KiB within 25% of its memory. Node-wide, not per network "
          + "namespace.";
  static final String MAX_TW_BUCKETS =
      "net.ipv4.tcp_max_tw_buckets, 4096..16777216. Above this many TIME_WAIT "
          + "sockets, closing sockets skip TIME_WAIT (the kernel counts TCPTimeWaitOverflow). Per network namespace.";
  static final String TW_REUSE =
      "net.ipv4.tcp_tw_reuse: Disabled (0), Enabled (1) or LoopbackOnly (2). Lets "
          + "new outgoing connections reuse a port held in TIME_WAIT when timestamps prove it safe; needs "
          + "timestamps on, on both ends. Per network namespace.";
  static final String TIMESTAMPS =
      "net.ipv4.tcp_timestamps: Disabled (0), Enabled (1, random offset per "
          + "connection) or EnabledWithoutOffsets (2). TCP timestamps; TIME_WAIT reuse depends on them. "
          + "Per network namespace.";

  static final String CHILD_EHASH_ENTRIES =
      "net.ipv4.tcp_child_ehash_entries, 0 or 8192..16777216 (Linux 6.1+). The size of the TCP"
          + " established hash table of every network namespace created on the node afterwards (pods"
          + " recreated after it is set); 0, the kernel default, makes them share the node's table, so"
          + " that counting one pod's sockets walks every socket of the node. A namespace with its own"
          + " table gets tcp_max_tw_buckets = half the table (rounded up to a power of two) and"
          + " tcp_max_syn_backlog = max(128, entries / 128); the table costs 8 bytes per bucket per"
          + " pod. Set on the node's namespace only, never in a pod's; existing pods keep the shared"
          + " table until recreated. Must be at least twice maxTwBuckets when spec.pods is set."
          + " See docs/pod-hash-tables.md.";

  private FieldDocs() {}
}
