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
    return parseSockstat(readLines(sockstat, NETSTAT_LIMIT));
  }

  /** The most of {@code net/netstat} read (the kernel writes about 4 KiB). */
  static final int NETSTAT_LIMIT = 64 * 1024;

  /** The counters read from TcpExt; no other name is kept. */
  static final List<String> COUNTERS = List.of("TCPTimeWaitOverflow", "TCPAbortOnMemory");

  /** TCPTimeWaitOverflow and TCPAbortOnMemory; a counter this kernel does not have reads as 0. */
  public KernelCounters readCounters() throws IOException {
    Map<String, Long> tcpExt = parseTcpExt(readLines(netstat, NETSTAT_LIMIT));
    return new KernelCounters(
        tcpExt.getOrDefault("TCPTimeWaitOverflow", 0L),
        tcpExt.getOrDefault("TCPAbortOnMemory", 0L));
  }

  /**
   * The lines of the first {@code limit} bytes of a file (Latin-1: every byte is a character, so no
   * decoding error); a longer file is an error, not a cut read.
   */
  static List<String> readLines(Path file, int limit) throws IOException {
    byte[] bytes;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(limit + 1);
    }
    if (bytes.length > limit) {
      throw new IOException(file + " is longer than " + limit + " bytes: not read");
    }
    return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).lines().toList();
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

  /**
   * The TcpExt header line names the columns of the TcpExt line after it. Only the {@link
   * #COUNTERS} are kept; anything malformed is an IOException.
   */
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
          if (COUNTERS.contains(names[k])) {
            try {
              result.put(names[k], Long.parseLong(values[k]));
            } catch (NumberFormatException e) {
              throw new IOException(
                  "TcpExt " + names[k] + " is '" + cut(values[k]) + "', not a counter", e);
            }
          }
        }
        return result;
      }
    }
    throw new IOException("no TcpExt lines in netstat");
  }

  /** At most 32 characters of a value, for a message. */
  private static String cut(String value) {
    return value.length() <= 32 ? value : value.substring(0, 32) + "...";
  }

  private static Map<String, Long> pairs(String[] tokens) throws IOException {
    Map<String, Long> values = new HashMap<>();
    for (int i = 0; i + 1 < tokens.length; i += 2) {
      try {
        values.put(tokens[i], Long.parseLong(tokens[i + 1]));
      } catch (NumberFormatException e) {
        throw new IOException(
            "sockstat: "
                + cut(tokens[i])
                + " is followed by '"
                + cut(tokens[i + 1])
                + "', not a number",
            e);
      }
    }
    return values;
  }
}
