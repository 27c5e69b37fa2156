package io.tcpteardown.agent.count;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.tcpteardown.rules.advice.AdviceThresholds;
import io.tcpteardown.rules.advice.DestinationCount;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * What the advice rules need of one dump beyond the per-state counts, read from the same inet_diag
 * messages: TIME_WAIT and FIN_WAIT2 mini-sockets per destination whose local port connect() could
 * have drawn, orphans whose FIN or zero-window probes go unanswered, and FIN_WAIT2 sockets split
 * into orphans and half-closed ones. Memory is fixed (the destination table); reused between
 * counts, one caller at a time.
 */
public final class TeardownDetails implements SocketVisitor {
  /** inet_diag_msg fields, from the start of the nlmsghdr. */
  private static final int FAMILY = 16;

  private static final int RETRANS = 19;
  private static final int SOURCE_PORT = 20;
  private static final int DESTINATION_PORT = 22;
  private static final int SOURCE = 24;
  private static final int DESTINATION = 40;

  /** idiag_timer: 1 retransmit (of a FIN here), 3 time-wait, 4 zero-window probe. */
  private static final int TIMER_RETRANSMIT = 1;

  private static final int TIMER_ZERO_WINDOW = 4;

  /**
   * Destinations a result names: the advice needs the busiest, and a namespace's result may be kept
   * until the next sweep, so it stays small whatever the number of destinations.
   */
  public static final int RESULT_DESTINATIONS = 8;

  private final DestinationTable destinations = new DestinationTable();
  private LocalPorts ports;
  private long unansweredOrphans;
  private long zeroWindowOrphans;
  private long mostRetransmits;
  private long finWait2Orphans;
  private long halfClosed;
  private long miniSockets;

  /** Starts a count whose port filter is the namespace's {@code ports}. */
  public void reset(LocalPorts ports) {
    this.ports = ports;
    reset();
  }

  void reset() {
    destinations.reset();
    unansweredOrphans = 0;
    zeroWindowOrphans = 0;
    mostRetransmits = 0;
    finWait2Orphans = 0;
    halfClosed = 0;
    miniSockets = 0;
  }

  @Override
  public void add(int state, int timer, long inode) {
    // Only messages carry what this reads; /proc/net/tcp text has no retransmit counts here.
  }

  @Override
  public void add(MemorySegment message, long offset, int state, int timer, long inode) {
    boolean mini = timer == TcpState.TIME_WAIT_TIMER;
    if (state == TcpState.TIME_WAIT || (state == TcpState.FIN_WAIT2 && mini)) {
      miniSockets++;
      int localPort =
          Short.toUnsignedInt(
              Short.reverseBytes(
                  message.get(
                      java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, offset + SOURCE_PORT)));
      if (ports != null && ports.drawable(localPort)) {
        destinations.add(
            message.get(JAVA_BYTE, offset + FAMILY) & 0xff,
            message,
            offset + SOURCE,
            offset + DESTINATION,
            Short.toUnsignedInt(
                Short.reverseBytes(
                    message.get(
                        java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED,
                        offset + DESTINATION_PORT))));
      }
    }
    if (state == TcpState.FIN_WAIT2) {
      if (inode == 0) {
        finWait2Orphans++;
      } else {
        halfClosed++;
      }
    }
    if (inode == 0
        && (state == TcpState.FIN_WAIT1 || state == TcpState.LAST_ACK || state == TcpState.CLOSING)
        && (timer == TIMER_RETRANSMIT || timer == TIMER_ZERO_WINDOW)) {
      int retransmits = message.get(JAVA_BYTE, offset + RETRANS) & 0xff;
      if (retransmits >= AdviceThresholds.UNANSWERED_RETRANSMITS) {
        unansweredOrphans++;
        if (timer == TIMER_ZERO_WINDOW) {
          zeroWindowOrphans++;
        }
        mostRetransmits = Math.max(mostRetransmits, retransmits);
      }
    }
  }

  /** The details of the last count. */
  public Result result() {
    return new Result(
        destinations.destinations(RESULT_DESTINATIONS),
        destinations.other(),
        destinations.truncated(),
        unansweredOrphans,
        zeroWindowOrphans,
        mostRetransmits,
        finWait2Orphans,
        halfClosed,
        miniSockets);
  }

  /**
   * The details of one count.
   *
   * @param destinations the {@link #RESULT_DESTINATIONS} busiest of the {@link
   *     DestinationTable#CAPACITY} counted exactly, most sockets first
   * @param miniSockets the TIME_WAIT and FIN_WAIT2 mini-sockets the dump returned: what
   *     tcp_max_tw_buckets limits, sockstat's {@code tw} taken in the same walk as the counts
   */
  public record Result(
      List<DestinationCount> destinations,
      long otherDestinationSockets,
      boolean destinationsTruncated,
      long unansweredOrphans,
      long zeroWindowOrphans,
      long mostRetransmits,
      long finWait2Orphans,
      long halfClosed,
      long miniSockets) {
    public Result {
      destinations = List.copyOf(destinations);
    }
  }
}
