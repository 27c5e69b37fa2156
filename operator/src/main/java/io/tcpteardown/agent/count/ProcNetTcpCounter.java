package io.tcpteardown.agent.count;

import io.tcpteardown.api.StateCounts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The fallback counter: a streaming parse of {@code net/tcp} and {@code net/tcp6} under the proc
 * root. Bytes are read into one reused buffer and parsed in place (no String per line): per line
 * the state ({@code st}), the timer ({@code tr}) and the inode. The kernel formats every socket as
 * text, so this costs several times the netlink dump.
 */
public final class ProcNetTcpCounter implements SocketStateCounter {
  private static final int FIELD_STATE = 3;
  private static final int FIELD_TIMER = 5;
  private static final int FIELD_INODE = 9;

  private final Path tcp;
  private final Path tcp6;
  private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
  private final StateTally tally = new StateTally();
  private SocketVisitor visitor = tally;

  // Parser state, across buffer refills.
  private boolean header;
  private int field;
  private boolean inField;
  private boolean timerDone;
  private int state;
  private int timer;
  private long inode;

  public ProcNetTcpCounter(Path procRoot) {
    this.tcp = procRoot.resolve("net/tcp");
    this.tcp6 = procRoot.resolve("net/tcp6");
  }

  @Override
  public CountMethod method() {
    return CountMethod.PROC;
  }

  @Override
  public StateCounts count() throws IOException {
    tally.reset();
    visitor = tally;
    parse(tcp, true);
    parse(tcp6, false);
    return tally.result();
  }

  /**
   * Adds the inodes of the CLOSE_WAIT sockets of {@code net/tcp} and {@code tcp6} to {@code into},
   * parsing the files as they stream by: no line is kept, and {@code into} keeps at most its
   * capacity.
   */
  public void closeWaitInodes(CloseWaitInodes into) throws IOException {
    into.clear();
    visitor =
        (state, timer, inode) -> {
          if (state == TcpState.CLOSE_WAIT) {
            into.add(inode);
          }
        };
    try {
      parse(tcp, true);
      parse(tcp6, false);
    } finally {
      visitor = tally;
    }
  }

  /** Parses {@code text} as the content of one net/tcp file, for tests. */
  void parseForTest(byte[] text, SocketVisitor to) {
    visitor = to;
    header = true;
    startLine();
    for (byte b : text) {
      accept(b);
    }
    visitor = tally;
  }

  private void parse(Path file, boolean required) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      header = true;
      startLine();
      while (true) {
        buffer.clear();
        int read = channel.read(buffer);
        if (read < 0) {
          break;
        }
        byte[] bytes = buffer.array();
        for (int i = 0; i < read; i++) {
          accept(bytes[i]);
        }
      }
    } catch (NoSuchFileException e) {
      if (required) {
        throw e;
      }
      // No IPv6 in this kernel: nothing to count there.
    }
  }

  private void accept(byte b) {
    if (b == '\n') {
      if (!header && field > FIELD_INODE) {
        visitor.add(state, timer, inode);
      }
      header = false;
      startLine();
      return;
    }
    if (header) {
      return;
    }
    if (b == ' ') {
      if (inField) {
        inField = false;
        field++;
      }
      return;
    }
    inField = true;
    switch (field) {
      case FIELD_STATE -> state = state * 16 + hex(b);
      case FIELD_TIMER -> {
        if (b == ':') {
          timerDone = true;
        } else if (!timerDone) {
          timer = timer * 16 + hex(b);
        }
      }
      case FIELD_INODE -> inode = inode * 10 + (b - '0');
      default -> {}
    }
  }

  private void startLine() {
    field = 0;
    inField = false;
    timerDone = false;
    state = 0;
    timer = 0;
    inode = 0;
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    return (b | 0x20) - 'a' + 10;
  }

  @Override
  public void close() {
    // Nothing held between counts.
  }
}
