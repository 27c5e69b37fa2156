package io.tcpteardown.agent.count;

import io.tcpteardown.api.StateCounts;
import java.io.IOException;

/** Counts the teardown states of the TCP sockets of one network namespace; one caller at a time. */
public interface SocketStateCounter extends AutoCloseable {
  StateCounts count() throws IOException;

  CountMethod method();

  @Override
  void close();
}
