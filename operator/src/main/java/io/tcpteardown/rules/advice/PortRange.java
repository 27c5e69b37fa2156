package io.tcpteardown.rules.advice;

/**
 * A namespace's {@code ip_local_port_range}, less the {@code ip_local_reserved_ports} inside it:
 * the ports {@code connect()} draws from.
 */
public record PortRange(int low, int high, int reservedInRange) {
  /** The ports connect() may pick, at least 0. */
  public long usable() {
    return Math.max(0, (long) high - low + 1 - reservedInRange);
  }

  @Override
  public String toString() {
    return low + "-" + high + (reservedInRange > 0 ? " less " + reservedInRange + " reserved" : "");
  }
}
