package io.tcpteardown.agent.count;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The netlink reply parser on random, truncated and corrupted batches, and with byte counts that
 * disagree with the buffer: it ends in a result or an IOException, never another exception, and
 * hands on no more sockets than whole messages fit in the bytes received.
 */
@UnitTest
class NetlinkRepliesPropertiesTest {
  private static final int SEQ = 9;
  private static final int SOCKET_MESSAGE = NetlinkStateCounter.HEADER + 72;

  /** Counts what the parser hands on, keeping nothing else. */
  private static final class Counting implements SocketVisitor {
    long sockets;

    @Override
    public void add(int state, int timer, long inode) {
      sockets++;
    }
  }

  private static void parsesSafely(byte[] bytes, long received) {
    Counting visitor = new Counting();
    try {
      NetlinkStateCounter.replies(MemorySegment.ofArray(bytes), received, SEQ, visitor);
    } catch (IOException expected) {
      // a refused or failed dump, or a malformed message: reported, not thrown past the counter
    }
    assertThat(visitor.sockets).isLessThanOrEqualTo(Math.max(0, received) / SOCKET_MESSAGE);
  }

  @Property(tries = 2000)
  void randomBytesAndAnyByteCount(
      @ForAll @Size(max = 2048) byte[] bytes,
      @ForAll @IntRange(min = -64, max = 4096) int received) {
    parsesSafely(bytes, received);
  }

  @Property(tries = 2000)
  void aValidBatchCutAnywhereOrCorruptedInOneWord(
      @ForAll @IntRange(min = 0, max = 40) int sockets,
      @ForAll @IntRange(min = 0, max = 100_000) int cutAt,
      @ForAll @IntRange(min = 0, max = 100_000) int corruptAt,
      @ForAll int corruption,
      @ForAll boolean corrupt) {
    byte[] batch = batch(sockets);
    if (corrupt) {
      int at = corruptAt % Math.max(1, batch.length - 3);
      ByteBuffer.wrap(batch).order(ByteOrder.nativeOrder()).putInt(at, corruption);
    }
    parsesSafely(batch, cutAt % (batch.length + 1));
  }

  @Property(tries = 500)
  void messageLengthsThatPointOutsideTheBatch(
      @ForAll("lengths") int length, @ForAll @IntRange(min = 0, max = 4) int before) {
    byte[] batch = batch(before);
    ByteBuffer.wrap(batch).order(ByteOrder.nativeOrder()).putInt(before * SOCKET_MESSAGE, length);
    parsesSafely(batch, batch.length);
  }

  @Provide
  Arbitrary<Integer> lengths() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            Integer.MIN_VALUE,
            -1,
            0,
            1,
            15,
            16,
            17,
            87,
            88,
            89,
            Integer.MAX_VALUE - 2,
            Integer.MAX_VALUE),
        Arbitraries.integers());
  }

  /** {@code sockets} inet_diag messages of this dump, then NLMSG_DONE. */
  private static byte[] batch(int sockets) {
    ByteBuffer b =
        ByteBuffer.allocate(sockets * SOCKET_MESSAGE + NetlinkStateCounter.HEADER + 4)
            .order(ByteOrder.nativeOrder());
    for (int i = 0; i < sockets; i++) {
      int at = i * SOCKET_MESSAGE;
      b.putInt(at, SOCKET_MESSAGE).putShort(at + 4, (short) 20).putInt(at + 8, SEQ);
      b.put(at + NetlinkStateCounter.HEADER + 1, (byte) TcpState.CLOSE_WAIT);
      b.putInt(at + NetlinkStateCounter.HEADER + 68, 1000 + i);
    }
    int done = sockets * SOCKET_MESSAGE;
    b.putInt(done, NetlinkStateCounter.HEADER + 4)
        .putShort(done + 4, NetlinkStateCounter.NLMSG_DONE)
        .putInt(done + 8, SEQ);
    return b.array();
  }
}
