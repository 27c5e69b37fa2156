package io.tcpteardown.rules.advice;

/**
 * Every threshold of the advice rules, in one place, each with the reason for its value. The rules
 * are in {@link AdviceRules}.
 */
public final class AdviceThresholds {
  /**
   * One destination holding this share of the usable local port range advises reuse: past half,
   * every {@code connect()} to it scans the whole even half of the range before it finds a port,
   * and at the whole range it fails with EADDRNOTAVAIL.
   */
  public static final int PORTS_PERCENT = 50;

  /** The suggested tcp_max_tw_buckets is this many times the peak of mini-sockets seen. */
  public static final int TW_BUCKETS_HEADROOM = 2;

  /**
   * Bytes of one TIME_WAIT mini-socket: the object size of the {@code tw_sock_TCP} slab on kernel
   * 6.18 ({@code /proc/slabinfo}).
   */
  public static final long TIME_WAIT_SOCKET_BYTES = 256;

  /**
   * The share of a node's memory a suggested TIME_WAIT table may fill at most: 1% of 4 GiB holds
   * 167,772 mini-sockets, already more than the 131,072 the kernel allows by default on a node with
   * 8 GiB and more, while no workload notices 1% of memory.
   */
  public static final int TIME_WAIT_MEMORY_PERCENT = 1;

  /**
   * An orphan whose FIN was retransmitted (timer 1) or that probed a zero window (timer 4) this
   * many times is waiting on a peer that does not answer: with the minimum retransmission timeout
   * of 200 ms doubling each time, three retransmits are 1.4 s without an answer, against tens of
   * milliseconds for a healthy FIN_WAIT1.
   */
  public static final int UNANSWERED_RETRANSMITS = 3;

  /** Orphans waiting on unanswering peers that make the orphanRetries advice. */
  public static final long UNANSWERED_ORPHANS = 64;

  /**
   * The suggested tcp_orphan_retries: 3 gives up after about 3 s of unanswered retransmits (200 ms
   * doubling), where the kernel's default 0 means 8, about 100 s at the minimum timeout and up to
   * many minutes on a slow path.
   */
  public static final int SUGGESTED_ORPHAN_RETRIES = 3;

  /** tcp_orphan_retries 0 means this many in the kernel ({@code tcp_orphan_retries()}). */
  public static final int KERNEL_ORPHAN_RETRIES_FOR_ZERO = 8;

  /**
   * Orphans in FIN_WAIT2, full sockets and mini-sockets together, that make the finTimeout advice.
   */
  public static final long FIN_WAIT2_ORPHANS = 1024;

  /**
   * The suggested tcp_fin_timeout: half the default 60 s halves the orphans a peer that never sends
   * its FIN can pile up, and stays far above any round trip.
   */
  public static final int SUGGESTED_FIN_TIMEOUT_SECONDS = 30;

  /** Half-closed sockets a process still owns that are worth saying are not the finTimeout's. */
  public static final long HALF_CLOSED_NOTE = 1024;

  /**
   * Reports in a row the evidence must hold before advice appears, and be gone before it disappears
   * (a rising kernel counter shows it at once).
   */
  public static final int HOLD_REPORTS = 3;

  /** The longest advice message, in characters. */
  public static final int MAX_MESSAGE = 512;

  private AdviceThresholds() {}
}
