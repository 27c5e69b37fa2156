package io.tcpteardown.agent.count;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.tcpteardown.agent.ffm.Libc;
import io.tcpteardown.api.StateCounts;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * Counts teardown states with one NETLINK_SOCK_DIAG inet_diag dump, filtered in the kernel to the
 * six teardown states, through the FFM API (no JNI, no native library). It asks for no extensions,
 * so the kernel fills only the fixed 72-byte {@code inet_diag_msg} per socket, and it reads those
 * in place from one reused off-heap buffer: no object per socket, and the heap allocated per count
 * does not grow with the number of sockets.
 *
 * <p>The first choice is the legacy request (TCPDIAG_GETSOCK), which covers IPv4 and IPv6 in one
 * walk of the socket hash tables; if the kernel refuses it, two SOCK_DIAG_BY_FAMILY (v2) dumps, one
 * per family. A netlink socket belongs to the network namespace of the thread that created it: the
 * counter counts that namespace. Its off-heap memory is its own ({@link #open()}) or reused from
 * {@link NetlinkBuffers} across counters ({@link #open(NetlinkBuffers)}).
 */
public final class NetlinkStateCounter implements SocketStateCounter {
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_SOCK_DIAG = 4;
  private static final int IPPROTO_TCP = 6;
  private static final int EINTR = 4;
  static final int ENOENT = 2;
  static final int EINVAL = 22;
  static final int EOPNOTSUPP = 95;

  static final short NLMSG_ERROR = 2;
  static final short NLMSG_DONE = 3;
  private static final short TCPDIAG_GETSOCK = 18;
  private static final short SOCK_DIAG_BY_FAMILY = 20;
  private static final short NLM_F_REQUEST_DUMP = 0x301;

  static final int HEADER = 16;

  /** nlmsghdr + inet_diag_req (family, src_len, dst_len, ext, 48-byte sockid, states, dbs). */
  static final int LEGACY_REQUEST = HEADER + 60;

  private static final int LEGACY_STATES = HEADER + 52;

  /** nlmsghdr + inet_diag_req_v2 (family, protocol, ext, pad, states, 48-byte sockid). */
  private static final int V2_REQUEST = HEADER + 56;

  private static final int V2_STATES = HEADER + 4;

  /** Offsets in a reply, from the start of its nlmsghdr: inet_diag_msg's state, timer and inode. */
  private static final int MSG_STATE = HEADER + 1;

  private static final int MSG_TIMER = HEADER + 2;
  private static final int MSG_INODE = HEADER + 68;
  private static final int MSG_MIN_LENGTH = HEADER + 72;

  /** The kernel fills dump batches of at most 32 KiB; twice that leaves room. */
  static final int BUFFER = 64 * 1024;

  private static final Linker LINKER = Libc.LINKER;
  private static final StructLayout CALL_STATE = Libc.CALL_STATE;
  private static final MethodHandle SOCKET =
      downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  // The buffers go to send and recv as raw addresses (a long), not as MemorySegment arguments: a
  // segment
  // argument costs a 40-byte allocation per call, which would make the heap per count grow with the
  // sockets.
  // The segments stay valid during every call: their arena is closed only in close() (own buffers)
  // or by the owner of shared buffers, after this counter.
  private static final MethodHandle SEND =
      downcall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
  // recv runs once per batch: without errno capture, whose segment check allocates on every call. A
  // failed recv
  // (in practice only EINTR) is retried a few times and then reported without its errno.
  private static final MethodHandle RECV =
      LINKER.downcallHandle(
          LINKER.defaultLookup().find("recv").orElseThrow(),
          FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
  private static final int RECV_ATTEMPTS = 3;
  private static final MethodHandle CLOSE =
      downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private final NetlinkBuffers buffers;
  private final boolean ownsBuffers;
  private final int fd;
  private final MemorySegment request;
  private final MemorySegment buffer;
  private final MemorySegment callState;
  private final StateTally tally = new StateTally();
  private int sequence;
  private boolean legacy = true;

  private NetlinkStateCounter(NetlinkBuffers buffers, boolean ownsBuffers, int fd) {
    this.buffers = buffers;
    this.ownsBuffers = ownsBuffers;
    this.fd = fd;
    this.request = buffers.request;
    this.buffer = buffers.replies;
    this.callState = buffers.callState;
  }

  /**
   * Opens a sock_diag netlink socket in the calling thread's network namespace, with off-heap
   * memory of its own.
   */
  public static NetlinkStateCounter open() throws IOException {
    NetlinkBuffers buffers = NetlinkBuffers.allocate();
    try {
      return open(buffers, true);
    } catch (IOException | RuntimeException | Error e) {
      buffers.close();
      throw e;
    }
  }

  /**
   * Opens a sock_diag netlink socket in the calling thread's network namespace, on {@code buffers}
   * the caller keeps and closes; no other counter may use them until this one is closed.
   */
  public static NetlinkStateCounter open(NetlinkBuffers buffers) throws IOException {
    return open(buffers, false);
  }

  private static NetlinkStateCounter open(NetlinkBuffers buffers, boolean owns) throws IOException {
    try {
      int fd =
          (int)
              SOCKET.invokeExact(
                  buffers.callState, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
      if (fd < 0) {
        throw new IOException(
            "socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: errno " + errno(buffers.callState));
      }
      return new NetlinkStateCounter(buffers, owns, fd);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException(t);
    }
  }

  /**
   * A counter that sends only the per-family (v2) requests, as on kernels that refuse the legacy
   * one.
   */
  static NetlinkStateCounter openPerFamily() throws IOException {
    NetlinkStateCounter counter = open();
    counter.legacy = false;
    return counter;
  }

  @Override
  public CountMethod method() {
    return CountMethod.NETLINK;
  }

  @Override
  public StateCounts count() throws IOException {
    tally.reset();
    dumpAll(TcpState.TEARDOWN_MASK, tally, tally::reset);
    return tally.result();
  }

  /**
   * Counts as {@link #count()} does and, in the same dump, fills {@code details} (reset by the
   * caller with the namespace's local ports).
   */
  public StateCounts count(TeardownDetails details) throws IOException {
    tally.reset();
    details.reset();
    TallyWithDetails both = new TallyWithDetails(tally, details);
    dumpAll(TcpState.TEARDOWN_MASK, both, both::reset);
    return tally.result();
  }

  /**
   * Adds the inodes of the namespace's CLOSE_WAIT sockets to {@code into}, from a dump filtered to
   * that one state in the kernel: no other socket reaches this process, and {@code into} keeps at
   * most its capacity (counting the rest), so memory does not grow with the namespace's sockets. On
   * failure {@code into} may hold part of a dump: clear it before using it elsewhere.
   */
  public void closeWaitInodes(CloseWaitInodes into) throws IOException {
    into.clear();
    dumpAll(
        1 << TcpState.CLOSE_WAIT,
        (state, timer, inode) -> {
          if (state == TcpState.CLOSE_WAIT) {
            into.add(inode);
          }
        },
        into::clear);
  }

  /** The per-state tally and the details, from one dump. */
  private record TallyWithDetails(StateTally tally, TeardownDetails details)
      implements SocketVisitor {
    @Override
    public void add(int state, int timer, long inode) {
      tally.add(state, timer, inode);
    }

    @Override
    public void add(MemorySegment message, long offset, int state, int timer, long inode) {
      tally.add(state, timer, inode);
      details.add(message, offset, state, timer, inode);
    }

    void reset() {
      tally.reset();
      details.reset();
    }
  }

  /** One walk of both families, the legacy request first; {@code reset} undoes a refused one. */
  private void dumpAll(int states, SocketVisitor visitor, Runnable reset) throws IOException {
    if (legacy) {
      try {
        dump(TCPDIAG_GETSOCK, 0, states, visitor);
        return;
      } catch (RequestRefusedException e) {
        // Kernels without the compat request (CONFIG_INET_DIAG_COMPAT off): one v2 dump per family,
        // from now on. Any other failure of the legacy dump fails this count only.
        legacy = false;
        reset.run();
      }
    }
    dump(SOCK_DIAG_BY_FAMILY, AF_INET, states, visitor);
    dump(SOCK_DIAG_BY_FAMILY, AF_INET6, states, visitor);
  }

  private void dump(short type, int family, int states, SocketVisitor visitor) throws IOException {
    int seq = ++sequence;
    int length = type == TCPDIAG_GETSOCK ? LEGACY_REQUEST : V2_REQUEST;
    request.fill((byte) 0);
    request.set(JAVA_INT, 0, length);
    request.set(JAVA_SHORT_UNALIGNED, 4, type);
    request.set(JAVA_SHORT_UNALIGNED, 6, NLM_F_REQUEST_DUMP);
    request.set(JAVA_INT, 8, seq);
    if (type == TCPDIAG_GETSOCK) {
      // Family 0: the kernel's compat path dumps TCP of both families.
      request.set(JAVA_INT_UNALIGNED, LEGACY_STATES, states);
    } else {
      request.set(JAVA_BYTE, HEADER, (byte) family);
      request.set(JAVA_BYTE, HEADER + 1, (byte) IPPROTO_TCP);
      request.set(JAVA_INT_UNALIGNED, V2_STATES, states);
    }
    send(length);
    while (replies(buffer, receive(), seq, visitor) == Batch.MORE) {
      // The next batch of the same dump.
    }
  }

  /** Whether a batch of replies ended the dump. */
  enum Batch {
    MORE,
    DONE
  }

  /**
   * Reads one batch of netlink replies ({@code received} bytes of {@code replies}) to the dump with
   * sequence number {@code seq}, handing each socket to {@code visitor}; messages of other sequence
   * numbers (the rest of an earlier, failed dump) are skipped. Pure over the bytes, so that tests
   * can feed it crafted messages. Every length is checked against the bytes: {@code received}
   * against the segment, each {@code nlmsg_len} against what remains of {@code received}, before
   * anything is read at an offset.
   *
   * @return {@link Batch#DONE} at NLMSG_DONE, {@link Batch#MORE} when the dump goes on
   * @throws RequestRefusedException when the kernel refuses the request type itself (EINVAL,
   *     EOPNOTSUPP, ENOENT: no compat handler, no TCP diag module)
   * @throws IOException when the dump failed otherwise (NLMSG_ERROR or NLMSG_DONE carrying any
   *     other errno, such as ENOBUFS or ENOMEM), or a message is malformed: the numbers of this
   *     dump are incomplete
   */
  static Batch replies(MemorySegment replies, long received, int seq, SocketVisitor visitor)
      throws IOException {
    if (received < 0 || received > replies.byteSize()) {
      throw new IOException(
          "recv reported "
              + received
              + " bytes into a buffer of "
              + replies.byteSize()
              + ": the dump is unusable");
    }
    long offset = 0;
    while (offset + HEADER <= received) {
      int messageLength = replies.get(JAVA_INT_UNALIGNED, offset);
      short messageType = replies.get(JAVA_SHORT_UNALIGNED, offset + 4);
      int messageSeq = replies.get(JAVA_INT_UNALIGNED, offset + 8);
      if (messageLength < HEADER || offset + messageLength > received) {
        throw new IOException("malformed netlink message of length " + messageLength);
      }
      if (messageSeq == seq) {
        if (messageType == NLMSG_DONE) {
          // Since Linux 4.x NLMSG_DONE carries an int: 0, or -errno when the dump broke off.
          int error =
              messageLength >= HEADER + 4 ? -replies.get(JAVA_INT_UNALIGNED, offset + HEADER) : 0;
          if (error > 0) {
            throw new IOException(
                "inet_diag dump ended early with errno " + error + ": the count is incomplete");
          }
          return Batch.DONE;
        }
        if (messageType == NLMSG_ERROR) {
          if (messageLength < HEADER + 4) {
            throw new IOException("malformed NLMSG_ERROR of length " + messageLength);
          }
          int error = -replies.get(JAVA_INT_UNALIGNED, offset + HEADER);
          if (error != 0) {
            if (refusesRequestType(error)) {
              throw new RequestRefusedException(
                  "the kernel refused the inet_diag request: errno " + error);
            }
            throw new IOException("inet_diag dump failed: errno " + error);
          }
          // errno 0 is an acknowledgement, not an error.
        } else if (messageLength >= MSG_MIN_LENGTH) {
          visitor.add(
              replies,
              offset,
              replies.get(JAVA_BYTE, offset + MSG_STATE) & 0xff,
              replies.get(JAVA_BYTE, offset + MSG_TIMER) & 0xff,
              replies.get(JAVA_INT_UNALIGNED, offset + MSG_INODE) & 0xffffffffL);
        }
      }
      offset += (messageLength + 3) & ~3;
    }
    return Batch.MORE;
  }

  /**
   * Errors that say the kernel does not serve this request type at all, so asking again is useless:
   * EINVAL (unknown message type), EOPNOTSUPP (no compat handler), ENOENT (no handler for the
   * family or protocol). Anything else (ENOBUFS, ENOMEM, EINTR, ...) is a failure of one dump.
   */
  static boolean refusesRequestType(int errno) {
    return errno == EINVAL || errno == EOPNOTSUPP || errno == ENOENT;
  }

  private void send(int length) throws IOException {
    try {
      while (true) {
        long sent = (long) SEND.invokeExact(callState, fd, request.address(), (long) length, 0);
        if (sent == length) {
          return;
        }
        if (sent >= 0) {
          throw new IOException(
              "send on the sock_diag socket took "
                  + sent
                  + " of the request's "
                  + length
                  + " bytes");
        }
        if (errno(callState) != EINTR) {
          throw new IOException("send on the sock_diag socket failed: errno " + errno(callState));
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException(t);
    }
  }

  private long receive() throws IOException {
    try {
      for (int attempt = 0; attempt < RECV_ATTEMPTS; attempt++) {
        long received = (long) RECV.invokeExact(fd, buffer.address(), (long) BUFFER, 0);
        if (received > BUFFER) {
          throw new IOException(
              "recv returned " + received + " bytes for a buffer of " + BUFFER + ": ignored");
        }
        if (received > 0) {
          return received;
        }
        if (received == 0) {
          throw new IOException("the sock_diag socket closed during a dump");
        }
      }
      throw new IOException("recv on the sock_diag socket failed " + RECV_ATTEMPTS + " times");
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException(t);
    }
  }

  /** The kernel does not serve the request type (see {@link #refusesRequestType}). */
  static final class RequestRefusedException extends IOException {
    RequestRefusedException(String message) {
      super(message);
    }
  }

  private static int errno(MemorySegment state) {
    return Libc.errno(state);
  }

  private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
    return Libc.downcall(name, descriptor);
  }

  @Override
  public void close() {
    try {
      int ignored = (int) CLOSE.invokeExact(callState, fd);
    } catch (Throwable t) {
      // Closing a socket we own cannot meaningfully fail; nothing to do.
    } finally {
      if (ownsBuffers) {
        buffers.close();
      }
    }
  }
}
