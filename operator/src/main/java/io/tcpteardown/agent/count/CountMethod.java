package io.tcpteardown.agent.count;

import java.util.Locale;

/** How a namespace's sockets were counted. */
public enum CountMethod {
  /** A sock_diag dump, filtered to the teardown states in the kernel. */
  NETLINK,
  /** /proc/PID/net/tcp and tcp6, where netlink sock_diag is unavailable. */
  PROC;

  /** As reports print it: "netlink" or "proc". */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
