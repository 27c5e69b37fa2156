package io.tcpteardown.agent.count;

/** The kernel's TCP state numbers (include/net/tcp_states.h) for the six teardown states. */
final class TcpState {
  static final int FIN_WAIT1 = 4;
  static final int FIN_WAIT2 = 5;
  static final int TIME_WAIT = 6;
  static final int CLOSE_WAIT = 8;
  static final int LAST_ACK = 9;
  static final int CLOSING = 11;

  /** 1 << state for each of the six: the kernel-side filter of an inet_diag dump, 0xB70. */
  static final int TEARDOWN_MASK =
      1 << FIN_WAIT1
          | 1 << FIN_WAIT2
          | 1 << TIME_WAIT
          | 1 << CLOSE_WAIT
          | 1 << LAST_ACK
          | 1 << CLOSING;

  /** The timer value of a time-wait mini-socket (timer 3 in inet_diag and /proc/net/tcp). */
  static final int TIME_WAIT_TIMER = 3;

  private TcpState() {}

  /**
   * An orphan: in FIN_WAIT1, FIN_WAIT2, LAST_ACK or CLOSING, no owning inode, not a time-wait
   * mini-socket.
   */
  static boolean isOrphan(int state, int timer, long inode) {
    return inode == 0
        && timer != TIME_WAIT_TIMER
        && (state == FIN_WAIT1 || state == FIN_WAIT2 || state == LAST_ACK || state == CLOSING);
  }
}
