package io.tcpteardown.agent.count;

import io.tcpteardown.api.StateCounts;
import java.util.Arrays;

/**
 * Per-state socket counts and orphans of one count, shared by both counters; reused between counts.
 */
final class StateTally implements SocketVisitor {
  private final long[] byState = new long[16];
  private long orphans;

  void reset() {
    Arrays.fill(byState, 0);
    orphans = 0;
  }

  @Override
  public void add(int state, int timer, long inode) {
    // A state read from text may be anything: only the kernel's numbers are counted.
    if (state >= 0 && state < byState.length) {
      byState[state]++;
    }
    if (TcpState.isOrphan(state, timer, inode)) {
      orphans++;
    }
  }

  StateCounts result() {
    return new StateCounts(
        byState[TcpState.FIN_WAIT1],
        byState[TcpState.FIN_WAIT2],
        byState[TcpState.TIME_WAIT],
        byState[TcpState.CLOSE_WAIT],
        byState[TcpState.LAST_ACK],
        byState[TcpState.CLOSING],
        orphans);
  }
}
