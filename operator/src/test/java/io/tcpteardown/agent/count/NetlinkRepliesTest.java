package io.tcpteardown.agent.count;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.api.StateCounts;
import io.tcpteardown.tier.UnitTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The netlink reply parser, fed crafted messages (host byte order, as the kernel sends them). */
@UnitTest
class NetlinkRepliesTest {
  private static final int SEQ = 7;
  private static final int ENOBUFS = 105;
  private static final int ENOMEM = 12;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final StateTally tally = new StateTally();

  private static ByteBuffer message(int length, short type, int seq) {
    ByteBuffer b = ByteBuffer.allocate((length + 3) & ~3).order(ByteOrder.nativeOrder());
    b.putInt(0, length).putShort(4, type).putShort(6, (short) 2).putInt(8, seq);
    return b;
  }

  private NetlinkRepliesTest socket(int state, int timer, int inode, int seq) {
    ByteBuffer b = message(NetlinkStateCounter.HEADER + 72, (short) 18, seq);
    b.put(NetlinkStateCounter.HEADER + 1, (byte) state)
        .put(NetlinkStateCounter.HEADER + 2, (byte) timer)
        .putInt(NetlinkStateCounter.HEADER + 68, inode);
    bytes.writeBytes(b.array());
    return this;
  }

  private NetlinkRepliesTest done(int errno) {
    ByteBuffer b = message(NetlinkStateCounter.HEADER + 4, NetlinkStateCounter.NLMSG_DONE, SEQ);
    b.putInt(NetlinkStateCounter.HEADER, -errno);
    bytes.writeBytes(b.array());
    return this;
  }

  private NetlinkRepliesTest error(int errno) {
    // nlmsgerr: the error, then the header of the request it answers.
    ByteBuffer b = message(NetlinkStateCounter.HEADER + 20, NetlinkStateCounter.NLMSG_ERROR, SEQ);
    b.putInt(NetlinkStateCounter.HEADER, -errno);
    bytes.writeBytes(b.array());
    return this;
  }

  private NetlinkStateCounter.Batch parse() throws IOException {
    byte[] all = bytes.toByteArray();
    return NetlinkStateCounter.replies(MemorySegment.ofArray(all), all.length, SEQ, tally);
  }

  @Test
  void countsSocketsOfItsOwnDumpUntilDone() throws IOException {
    socket(TcpState.TIME_WAIT, 3, 0, SEQ)
        .socket(TcpState.TIME_WAIT, 3, 0, SEQ)
        .socket(TcpState.FIN_WAIT2, 0, 0, SEQ)
        .socket(TcpState.CLOSE_WAIT, 0, 4242, SEQ)
        // Left over from an earlier dump that failed: not counted.
        .socket(TcpState.CLOSE_WAIT, 0, 1, SEQ - 1)
        .done(0);
    assertThat(parse()).isEqualTo(NetlinkStateCounter.Batch.DONE);
    assertThat(tally.result()).isEqualTo(new StateCounts(0, 1, 2, 1, 0, 0, 1));
  }

  @Test
  void aBatchWithoutDoneAsksForMore() throws IOException {
    socket(TcpState.TIME_WAIT, 3, 0, SEQ);
    assertThat(parse()).isEqualTo(NetlinkStateCounter.Batch.MORE);
  }

  @Test
  void doneCarryingAnErrorIsAFailedCountNotASuccess() {
    socket(TcpState.TIME_WAIT, 3, 0, SEQ).done(ENOBUFS);
    assertThatThrownBy(this::parse)
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(NetlinkStateCounter.RequestRefusedException.class)
        .hasMessageContaining("errno 105");
  }

  @Test
  void onlyARefusalOfTheRequestTypeCountsAsRefused() {
    for (int errno :
        new int[] {
          NetlinkStateCounter.EINVAL, NetlinkStateCounter.EOPNOTSUPP, NetlinkStateCounter.ENOENT
        }) {
      bytes.reset();
      error(errno);
      assertThatThrownBy(this::parse)
          .isInstanceOf(NetlinkStateCounter.RequestRefusedException.class);
    }
    for (int errno : new int[] {ENOBUFS, ENOMEM, 4, 1}) {
      bytes.reset();
      error(errno);
      assertThatThrownBy(this::parse)
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(NetlinkStateCounter.RequestRefusedException.class);
    }
  }

  @Test
  void anAcknowledgementIsNoError() throws IOException {
    error(0).socket(TcpState.LAST_ACK, 0, 9, SEQ).done(0);
    assertThat(parse()).isEqualTo(NetlinkStateCounter.Batch.DONE);
    assertThat(tally.result().lastAck()).isEqualTo(1);
  }

  @Test
  void aMalformedLengthIsAnError() {
    ByteBuffer b = message(NetlinkStateCounter.HEADER, (short) 18, SEQ);
    b.putInt(0, 4000);
    bytes.writeBytes(b.array());
    assertThatThrownBy(this::parse)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("malformed");
    bytes.reset();
    ByteBuffer tiny = message(NetlinkStateCounter.HEADER, (short) 18, SEQ);
    tiny.putInt(0, 3);
    bytes.writeBytes(tiny.array());
    assertThatThrownBy(this::parse).isInstanceOf(IOException.class);
  }
}
