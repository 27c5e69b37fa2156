package io.tcpteardown.agent.count;

import io.tcpteardown.api.KernelCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads /proc/net/sockstat and the TcpExt counters of /proc/net/netstat under a proc root. */
public final class KernelStats {
  private final Path sockstat;
  private final Path netstat;

  public KernelStats(Path procRoot) {
    this.sockstat = procRoot.resolve("net/sockstat");
    this.netstat = procRoot.resolve("net/netstat");
  }

  public Sockstat readSockstat() throws IOException {
    return readSockstat(newBuffer());
  }

  /** {@link #readSockstat()} into {@code buffer} (from {@link #newBuffer()}). */
  Sockstat readSockstat(byte[] buffer) throws IOException {
    return parseSockstat(firstLineOf(sockstat, buffer, "TCP:").map(List::of).orElse(List.of()));
  }

  /**
   * The first line of {@code file} starting with {@code prefix} (the empty prefix: its first line),
   * read into {@code buffer}: only that line becomes text.
   */
  static Optional<String> firstLineOf(Path file, byte[] buffer, String prefix) throws IOException {
    int length = read(file, buffer);
    for (int start = 0; start < length; ) {
      int end = lineEnd(buffer, start, length);
      if (startsWith(buffer, start, end, prefix)) {
        return Optional.of(latin1(buffer, start, end));
      }
      start = nextLine(buffer, end, length);
    }
    return prefix.isEmpty() ? Optional.of("") : Optional.empty();
  }

  /** Where the line from {@code start} ends: at \n, \r or the end, as {@link String#lines}. */
  private static int lineEnd(byte[] bytes, int start, int length) {
    int end = start;
    while (end < length && bytes[end] != '\n' && bytes[end] != '\r') {
      end++;
    }
    return end;
  }

  /** Where the line after the one ending at {@code end} starts (\r\n is one line end). */
  private static int nextLine(byte[] bytes, int end, int length) {
    return end + (end + 1 < length && bytes[end] == '\r' && bytes[end + 1] == '\n' ? 2 : 1);
  }

  private static boolean startsWith(byte[] bytes, int start, int end, String prefix) {
    if (end - start < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (bytes[start + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The most of {@code net/netstat} read (the kernel writes about 4 KiB). */
  static final int NETSTAT_LIMIT = 64 * 1024;

  /** The counters read from TcpExt; no other name is kept. */
  static final List<String> COUNTERS = List.of("TCPTimeWaitOverflow", "TCPAbortOnMemory");

  /** TCPTimeWaitOverflow and TCPAbortOnMemory; a counter this kernel does not have reads as 0. */
  public KernelCounters readCounters() throws IOException {
    return readCounters(newBuffer());
  }

  /** A buffer for {@link #readCounters(byte[])}. */
  public static byte[] newBuffer() {
    return new byte[NETSTAT_LIMIT + 1];
  }

  /**
   * {@link #readCounters()} into {@code buffer} (from {@link #newBuffer()}), which a sweep reuses
   * for every namespace: of the file only the two TcpExt lines become text.
   */
  public KernelCounters readCounters(byte[] buffer) throws IOException {
    Map<String, Long> tcpExt = parseTcpExt(tcpExtLines(buffer, read(netstat, buffer)));
    return new KernelCounters(
        tcpExt.getOrDefault("TCPTimeWaitOverflow", 0L),
        tcpExt.getOrDefault("TCPAbortOnMemory", 0L));
  }

  /** The length read into {@code buffer}; a file that does not fit below its end is an error. */
  private static int read(Path file, byte[] buffer) throws IOException {
    int limit = buffer.length - 1;
    int length;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      length = in.readNBytes(buffer, 0, buffer.length);
    }
    if (length > limit) {
      throw new IOException(file + " is longer than " + limit + " bytes: not read");
    }
    return length;
  }

  /**
   * The first two consecutive lines that start with "TcpExt:", split as {@link String#lines} does
   * (Latin-1), or no line: what {@link #parseTcpExt} would find among all the lines.
   */
  static List<String> tcpExtLines(byte[] bytes, int length) {
    int previousStart = -1;
    int previousEnd = -1;
    for (int start = 0; start < length; ) {
      int end = lineEnd(bytes, start, length);
      if (startsWith(bytes, start, end, "TcpExt:")) {
        if (previousStart >= 0) {
          return List.of(latin1(bytes, previousStart, previousEnd), latin1(bytes, start, end));
        }
        previousStart = start;
        previousEnd = end;
      } else {
        previousStart = -1;
      }
      start = nextLine(bytes, end, length);
    }
    return List.of();
  }

  private static String latin1(byte[] bytes, int start, int end) {
    return new String(bytes, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
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
        Fields names = new Fields(lines.get(i));
        Fields values = new Fields(lines.get(i + 1));
        if (names.count() != values.count()) {
          throw new IOException(
              "TcpExt has " + names.count() + " names but " + values.count() + " values");
        }
        Map<String, Long> result = new HashMap<>();
        while (names.next() && values.next()) {
          for (String counter : COUNTERS) {
            if (names.is(counter)) {
              try {
                result.put(counter, Long.parseLong(values.text()));
              } catch (NumberFormatException e) {
                throw new IOException(
                    "TcpExt " + counter + " is '" + cut(values.text()) + "', not a counter", e);
              }
            }
          }
        }
        return result;
      }
    }
    throw new IOException("no TcpExt lines in netstat");
  }

  /**
   * The fields of a TcpExt line after its "TcpExt:", as {@code substring(7).trim().split("\\s+")}
   * gives them (a blank rest is one empty field), walked in place: no string per field.
   */
  private static final class Fields {
    private final String line;
    private final int end;
    private int start;
    private int fieldEnd;

    Fields(String line) {
      int from = 7;
      int to = line.length();
      while (from < to && line.charAt(from) <= ' ') {
        from++;
      }
      while (to > from && line.charAt(to - 1) <= ' ') {
        to--;
      }
      this.line = line;
      this.end = to;
      this.start = -1;
      this.fieldEnd = from;
    }

    int count() {
      int count = 0;
      int at = fieldEnd;
      while (at < end) {
        count++;
        while (at < end && !whitespace(line.charAt(at))) {
          at++;
        }
        while (at < end && whitespace(line.charAt(at))) {
          at++;
        }
      }
      return Math.max(count, 1);
    }

    boolean next() {
      if (start >= 0 && fieldEnd >= end) {
        return false;
      }
      int at = fieldEnd;
      while (start >= 0 && at < end && whitespace(line.charAt(at))) {
        at++;
      }
      start = at;
      while (at < end && !whitespace(line.charAt(at))) {
        at++;
      }
      fieldEnd = at;
      return true;
    }

    boolean is(String name) {
      return fieldEnd - start == name.length() && line.startsWith(name, start);
    }

    String text() {
      return line.substring(start, fieldEnd);
    }

    /** The characters of the regex \\s. */
    private static boolean whitespace(char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
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
