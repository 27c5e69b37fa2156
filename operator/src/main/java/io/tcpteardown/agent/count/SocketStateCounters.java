package io.tcpteardown.agent.count;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the fast netlink counter, or the /proc/net/tcp fallback where netlink sock_diag is
 * unavailable.
 */
public final class SocketStateCounters {
  private static final Logger LOG = LoggerFactory.getLogger(SocketStateCounters.class);

  private SocketStateCounters() {}

  /**
   * Counts the network namespace of the calling thread (netlink) or of {@code procRoot}/net
   * (fallback).
   */
  public static SocketStateCounter open(Path procRoot) {
    try {
      NetlinkStateCounter netlink = NetlinkStateCounter.open();
      try {
        netlink.count();
        return netlink;
      } catch (IOException | RuntimeException e) {
        netlink.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "netlink sock_diag is not available ({}): counting from {}/net/tcp and tcp6 instead",
          e.getMessage(),
          procRoot);
      return new ProcNetTcpCounter(procRoot);
    }
  }
}
