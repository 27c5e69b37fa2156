package io.tcpteardown.agent.count;

import io.tcpteardown.api.KernelCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads /proc/net/sockstat and the TcpExt counters of /proc/net/netstat under a proc root. */
public final class KernelStats {
  private final Path sockstat;
  private final Path netstat;

  public KernelStats(Path procRoot) {
    this.sockstat = procRoot.resolve("net/sockstat");
    this.netstat = procRoot.resolve("net/netstat");
  }

  public Sockstat readSockstat() throws IOException {
    return parseSockstat(Files.readAllLines(sockstat));
  }

  /** TCPTimeWaitOverflow and TCPAbortOnMemory; a counter this kernel does not have reads as 0. */
  public KernelCounters readCounters() throws IOException {
    Map<String, Long> tcpExt = parseTcpExt(Files.readAllLines(netstat));
    return new KernelCounters(
        tcpExt.getOrDefault("TCPTimeWaitOverflow", 0L),
        tcpExt.getOrDefault("TCPAbortOnMemory", 0L));
  }

  static Sockstat parseSockstat(List<String> lines) throws IOException {
    for (String line : lines) {
      if (line.startsWith("TCP:")) {
        Map<String, Long> values = pairs(line.substring(4).trim().split("\\s+"));
        return new Sockstat(
            values.getOrDefault("inuse", 0L),
            values.getOrDefault("orphan", 0L),
            values.getOrDefault("tw", 0L),
            values.getOrDefault("alloc", 0L),
            values.getOrDefault("mem", 0L));
      }
    }
    throw new IOException("no TCP line in sockstat");
  }

  /** The TcpExt header line names the columns of the TcpExt line after it. */
  static Map<String, Long> parseTcpExt(List<String> lines) throws IOException {
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
        String[] names = lines.get(i).substring(7).trim().split("\\s+");
        String[] values = lines.get(i + 1).substring(7).trim().split("\\s+");
        if (names.length != values.length) {
          throw new IOException(
              "TcpExt has " + names.length + " names but " + values.length + " values");
        }
        Map<String, Long> result = new HashMap<>();
        for (int k = 0; k < names.length; k++) {
          result.put(names[k], Long.parseLong(values[k]));
        }
        return result;
      }
    }
    throw new IOException("no TcpExt lines in netstat");
  }

  private static Map<String, Long> pairs(String[] tokens) throws IOException {
    Map<String, Long> values = new HashMap<>();
    for (int i = 0; i + 1 < tokens.length; i += 2) {
      try {
        values.put(tokens[i], Long.parseLong(tokens[i + 1]));
      } catch (NumberFormatException e) {
        throw new IOException(
            "sockstat: " + tokens[i] + " is followed by '" + tokens[i + 1] + "', not a number", e);
      }
    }
    return values;
  }
}
