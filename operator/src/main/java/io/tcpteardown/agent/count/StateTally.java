package io.tcpteardown.agent.count;

import java.util.Arrays;

/**
 * Per-state socket counts and orphans of one count, shared by both counters; reused between counts.
 */
final class StateTally {
  private final long[] byState = new long[16];
  private long orphans;

  void reset() {
    Arrays.fill(byState, 0);
    orphans = 0;
  }

  void add(int state, int timer, long inode) {
    if (state < byState.length) {
      byState[state]++;
    }
    if (TcpState.isOrphan(state, timer, inode)) {
      orphans++;
    }
  }

  SocketStates result() {
    return new SocketStates(
        byState[TcpState.FIN_WAIT1],
        byState[TcpState.FIN_WAIT2],
        byState[TcpState.TIME_WAIT],
        byState[TcpState.CLOSE_WAIT],
        byState[TcpState.LAST_ACK],
        byState[TcpState.CLOSING],
        orphans);
  }
}
