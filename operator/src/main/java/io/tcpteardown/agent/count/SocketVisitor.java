package io.tcpteardown.agent.count;

/** Takes the sockets of a dump or of a /proc/net/tcp file one at a time, keeping none. */
@FunctionalInterface
interface SocketVisitor {
  void add(int state, int timer, long inode);

  /**
   * One socket of a netlink dump, whose inet_diag message starts at {@code offset} of {@code
   * message} (at least the fixed inet_diag_msg long): for visitors that read more than the state,
   * timer and inode.
   */
  default void add(
      java.lang.foreign.MemorySegment message, long offset, int state, int timer, long inode) {
    add(state, timer, inode);
  }
}
