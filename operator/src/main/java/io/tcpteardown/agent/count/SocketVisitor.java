package io.tcpteardown.agent.count;

/** Takes the sockets of a dump or of a /proc/net/tcp file one at a time, keeping none. */
@FunctionalInterface
interface SocketVisitor {
  void add(int state, int timer, long inode);
}
