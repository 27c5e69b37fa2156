package io.tcpteardown.agent.count;

/**
 * TCP sockets (IPv4 and IPv6) in each teardown state in one network namespace, as one dump counted them.
 *
 * @param orphansInDump orphans among them (no owning process); sockstat's orphan count is node-wide
 */
public record SocketStates(long finWait1, long finWait2, long timeWait, long closeWait, long lastAck, long closing,
    long orphansInDump) {

  /** From per-state tallies indexed by the kernel's state number. */
  static SocketStates of(long[] byState, long orphans) {
    return new SocketStates(byState[TcpState.FIN_WAIT1], byState[TcpState.FIN_WAIT2], byState[TcpState.TIME_WAIT],
        byState[TcpState.CLOSE_WAIT], byState[TcpState.LAST_ACK], byState[TcpState.CLOSING], orphans);
  }
}
