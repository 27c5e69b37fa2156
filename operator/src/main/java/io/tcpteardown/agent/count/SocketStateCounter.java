package io.tcpteardown.agent.count;

import java.io.IOException;

/** Counts the teardown states of the TCP sockets of one network namespace; one caller at a time. */
public interface SocketStateCounter extends AutoCloseable {
  SocketStates count() throws IOException;

  /** "netlink" or "proc". */
  String method();

  @Override
  void close();
}
