package io.tcpteardown.agent.count;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
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
   * (fallback), chosen once: for a namespace counted again and again (the node's).
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

  /**
   * One count of the calling thread's namespace (a pod's, entered for one look): netlink, with the
   * dump's off-heap memory from {@code buffers}, which a sweep reuses for every namespace,
   * gathering the advice's {@code details} in the same dump where {@code ports} is known; or the
   * /proc files of {@code processRoot} where netlink fails, chosen quietly as every sweep chooses
   * again.
   */
  public static NamespaceLook.Counted countOnce(
      Path processRoot, NetlinkBuffers buffers, TeardownDetails details, Optional<LocalPorts> ports)
      throws IOException {
    try (NetlinkStateCounter netlink = NetlinkStateCounter.open(buffers)) {
      return NamespaceLook.Counted.by(netlink, details, ports);
    } catch (IOException | RuntimeException e) {
      LOG.debug("netlink count failed inside a namespace: {}", e.getMessage());
    }
    return new NamespaceLook.Counted(new ProcNetTcpCounter(processRoot).count(), CountMethod.PROC);
  }
}
