package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Sockets in each teardown state, plus orphans, as counted in the agent's network namespace. */
public record StateCounts(
    @JsonPropertyDescription("Sockets in FIN_WAIT1: FIN sent, not yet acknowledged.") long finWait1,
    @JsonPropertyDescription(
            "Sockets in FIN_WAIT2: own FIN acknowledged, waiting for the peer's FIN.")
        long finWait2,
    @JsonPropertyDescription("Sockets in TIME_WAIT (60 s on Linux).") long timeWait,
    @JsonPropertyDescription("Sockets in CLOSE_WAIT: the peer closed, the application has not.")
        long closeWait,
    @JsonPropertyDescription(
            "Sockets in LAST_ACK: closed after the peer, waiting for the last ACK.")
        long lastAck,
    @JsonPropertyDescription("Sockets in CLOSING: both sides closed at once.") long closing,
    @JsonPropertyDescription("Orphaned sockets: closed by their process before teardown ended.")
        long orphans) {

  public static final StateCounts ZERO = new StateCounts(0, 0, 0, 0, 0, 0, 0);

  /** Sockets in the six teardown states (orphans are among them). */
  public long teardownSockets() {
    return finWait1 + finWait2 + timeWait + closeWait + lastAck + closing;
  }

  /** These counts with {@code orphans} counted elsewhere (the node's from sockstat). */
  public StateCounts withOrphans(long otherOrphans) {
    return new StateCounts(finWait1, finWait2, timeWait, closeWait, lastAck, closing, otherOrphans);
  }

  public StateCounts plus(StateCounts other) {
    return new StateCounts(
        finWait1 + other.finWait1,
        finWait2 + other.finWait2,
        timeWait + other.timeWait,
        closeWait + other.closeWait,
        lastAck + other.lastAck,
        closing + other.closing,
        orphans + other.orphans);
  }
}
