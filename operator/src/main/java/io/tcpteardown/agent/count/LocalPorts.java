package io.tcpteardown.agent.count;

import io.tcpteardown.rules.advice.PortRange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Optional;

/**
 * The local ports {@code connect()} draws from in one network namespace: {@code
 * ip_local_port_range} less {@code ip_local_reserved_ports}. The reserved set is one bit per port
 * (8 KiB at most), read from at most 64 KiB of text.
 */
public record LocalPorts(int low, int high, BitSet reserved) {
  private static final int PORTS = 65536;

  public LocalPorts {
    reserved = (BitSet) reserved.clone();
  }

  /** Reads both files under {@code ipv4}, a {@code sys/net/ipv4} of the namespace to read. */
  public static LocalPorts read(Path ipv4) throws IOException {
    return read(ipv4, KernelStats.newBuffer());
  }

  /**
   * {@link #read(Path)} into {@code buffer} (from {@link KernelStats#newBuffer()}), which a sweep
   * reuses for every namespace: only each file's first line becomes text.
   */
  public static LocalPorts read(Path ipv4, byte[] buffer) throws IOException {
    return parse(
        KernelStats.firstLineOf(ipv4.resolve("ip_local_port_range"), buffer, "").orElse(""),
        KernelStats.firstLineOf(ipv4.resolve("ip_local_reserved_ports"), buffer, "").orElse(""));
  }

  /**
   * {@link #read(Path, byte[])}, or nothing where the files cannot be read or parsed (no advice
   * there).
   */
  public static Optional<LocalPorts> readIfPresent(Path ipv4, byte[] buffer) {
    try {
      return Optional.of(read(ipv4, buffer));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Parses "LOW\tHIGH" and "P,P-Q,...", as the kernel prints them. */
  static LocalPorts parse(String range, String reservedText) throws IOException {
    String[] ends = range.trim().split("\\s+");
    if (ends.length != 2) {
      throw new IOException("ip_local_port_range is not two numbers: " + cut(range));
    }
    int low = port(ends[0]);
    int high = port(ends[1]);
    if (low > high) {
      throw new IOException("ip_local_port_range runs backwards: " + cut(range));
    }
    BitSet reserved = new BitSet();
    for (String item : reservedText.trim().split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int dash = item.indexOf('-');
      int from = port(dash < 0 ? item : item.substring(0, dash));
      int to = port(dash < 0 ? item : item.substring(dash + 1));
      if (from > to) {
        throw new IOException("ip_local_reserved_ports has a backward range: " + cut(item));
      }
      reserved.set(from, to + 1);
    }
    return new LocalPorts(low, high, reserved);
  }

  /** Whether connect() may pick this local port. */
  public boolean drawable(int port) {
    return port >= low && port <= high && !reserved.get(port);
  }

  /** The range as the advice rules read it. */
  public PortRange range() {
    return new PortRange(low, high, reserved.get(low, high + 1).cardinality());
  }

  private static int port(String text) throws IOException {
    try {
      int port = Integer.parseInt(text.trim());
      if (port < 0 || port >= PORTS) {
        throw new IOException("not a port: " + cut(text));
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IOException("not a port: " + cut(text), e);
    }
  }

  private static String cut(String text) {
    return io.tcpteardown.api.SafeText.of(text, 64);
  }
}
