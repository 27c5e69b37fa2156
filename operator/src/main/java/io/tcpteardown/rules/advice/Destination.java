package io.tcpteardown.rules.advice;

/**
 * Where a group of teardown sockets went: family, local address, remote address and port, with an
 * IPv4-mapped IPv6 address folded into IPv4 (so one upstream is one destination).
 */
public record Destination(
    Family family, String localAddress, String remoteAddress, int remotePort) {
  /** The address family, after folding. */
  public enum Family {
    IPV4,
    IPV6
  }

  @Override
  public String toString() {
    return family == Family.IPV6
        ? "[" + localAddress + "] -> [" + remoteAddress + "]:" + remotePort
        : localAddress + " -> " + remoteAddress + ":" + remotePort;
  }
}
