package io.tcpteardown.agent.count;

import io.tcpteardown.agent.ffm.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The off-heap memory of netlink dumps, allocated once and reused by every {@link
 * NetlinkStateCounter} opened on it: the request, the 64 KiB receive buffer and the call state. A
 * pod sweep opens a socket per namespace (a socket keeps its namespace alive, so it lives only for
 * that namespace's turn) but not an arena and a buffer per namespace. One counter at a time may use
 * them: a sweep uses them from its one namespace thread.
 */
public final class NetlinkBuffers implements AutoCloseable {
  private final Arena arena;
  final MemorySegment request;
  final MemorySegment replies;
  final MemorySegment callState;

  private NetlinkBuffers(Arena arena) {
    this.arena = arena;
    this.request = arena.allocate(NetlinkStateCounter.LEGACY_REQUEST, 8);
    this.replies = arena.allocate(NetlinkStateCounter.BUFFER, 8);
    this.callState = arena.allocate(Libc.CALL_STATE);
  }

  public static NetlinkBuffers allocate() {
    // Shared, not confined: the namespace thread that uses them may be replaced by another.
    return new NetlinkBuffers(Arena.ofShared());
  }

  @Override
  public void close() {
    arena.close();
  }
}
