package io.tcpteardown.agent.count;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The parsers of {@code /proc/<pid>/net/netstat}, {@code net/sockstat} and {@code net/tcp} on
 * random and truncated text: only IOException leaves them, the netstat parser keeps only its two
 * counters, and the net/tcp parser hands on at most one socket per line, keeping none.
 */
@UnitTest
class ProcTextPropertiesTest {
  private static final String NETSTAT =
      """
      TcpExt: SyncookiesSent SyncookiesRecv TW TCPTimeWaitOverflow TCPAbortOnMemory TCPOrphanQueued
      TcpExt: 0 0 1841 41 7 3
      IpExt: InNoRoutes InTruncatedPkts InMcastPkts
      IpExt: 0 0 12
      MPTcpExt: MPCapableSYNRX
      MPTcpExt: 0
      """;

  private static final String TCP =
      """
        sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
         0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0
         1: 0100007F:C350 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
         3: 0100007F:C352 0100007F:1F90 08 00000000:00000000 00:00000000 00000000     0        0 2002 1 0 20 4 30 10 -1
      """;

  @Provide
  Arbitrary<String> noise() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(400),
        Arbitraries.strings()
            .withChars("TcpExt: 0123456789-+abcdefxTCPAbortOnMemory\n\t ")
            .ofMaxLength(400));
  }

  private static String cut(String text, int at, String tail) {
    return text.substring(0, at % (text.length() + 1)) + tail;
  }

  @Property(tries = 2000)
  void netstatParserThrowsOnlyIoExceptionAndKeepsOnlyItsCounters(
      @ForAll("noise") String noise, @ForAll @IntRange(min = 0, max = 10_000) int at) {
    for (String text : List.of(noise, cut(NETSTAT, at, noise), cut(NETSTAT, at, ""))) {
      try {
        Map<String, Long> counters = KernelStats.parseTcpExt(text.lines().toList());
        assertThat(KernelStats.COUNTERS).containsAll(counters.keySet());
      } catch (IOException expected) {
        // reported as a failed read of this namespace's counters
      }
      try {
        KernelStats.parseSockstat(text.replace("TcpExt:", "TCP:").lines().toList());
      } catch (IOException expected) {
        // likewise
      }
    }
  }

  /**
   * The netstat reader of a sweep finds, in the bytes, the very TcpExt lines the line-list parser
   * finds, and that parser walks their fields in place exactly as the split it replaced: same
   * counters, or the same error.
   */
  @Property(tries = 2000)
  void netstatFromBytesAgreesWithTheSplitOfEveryLine(
      @ForAll("noise") String noise, @ForAll @IntRange(min = 0, max = 10_000) int at) {
    for (String text :
        List.of(
            noise,
            cut(NETSTAT, at, noise),
            cut(NETSTAT, at, ""),
            noise + "\r\n" + NETSTAT.replace("\n", "\r\n"),
            NETSTAT.replace(" 41 ", " " + noise.strip() + " "))) {
      String expected = outcome(() -> bySplit(text.lines().toList()));
      assertThat(outcome(() -> KernelStats.parseTcpExt(text.lines().toList()))).isEqualTo(expected);
      // A file is bytes, read as Latin-1: compare with the split of what those bytes say.
      byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
      String read = new String(bytes, StandardCharsets.ISO_8859_1);
      assertThat(
              outcome(() -> KernelStats.parseTcpExt(KernelStats.tcpExtLines(bytes, bytes.length))))
          .isEqualTo(outcome(() -> bySplit(read.lines().toList())));
    }
  }

  /**
   * sockstat and the port range read into a sweep's reused buffer give what the split of the whole
   * file into lines gives: the same values, or both an error (a port range that fails gives no
   * advice, never an exception).
   */
  @Property(tries = 500)
  void sockstatAndPortsFromAReusedBufferAgreeWithTheLineReaders(
      @ForAll("noise") String noise, @ForAll @IntRange(min = 0, max = 200) int at)
      throws IOException {
    Path root = java.nio.file.Files.createTempDirectory("proc-text");
    try {
      java.nio.file.Files.createDirectories(root.resolve("net"));
      java.nio.file.Files.createDirectories(root.resolve("sys/net/ipv4"));
      String sockstat =
          "sockets: used 8\nTCP: inuse 3 orphan 1 tw 42 alloc 5 mem 1\nUDP: inuse 0\n";
      byte[] buffer = KernelStats.newBuffer();
      for (String text :
          List.of(noise, cut(sockstat, at, noise), cut(sockstat, at, ""), sockstat, noise + "\n")) {
        java.nio.file.Files.write(
            root.resolve("net/sockstat"), (text).getBytes(StandardCharsets.UTF_8));
        java.nio.file.Files.write(
            root.resolve("sys/net/ipv4/ip_local_port_range"),
            (text).getBytes(StandardCharsets.UTF_8));
        java.nio.file.Files.write(
            root.resolve("sys/net/ipv4/ip_local_reserved_ports"),
            (noise.length() % 2 == 0 ? "" : "8080,9000-9010").getBytes(StandardCharsets.UTF_8));
        KernelStats stats = new KernelStats(root);
        // Files are bytes, read as Latin-1, split as String.lines splits.
        List<String> lines =
            new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)
                .lines()
                .toList();
        assertThat(sockstatOutcome(() -> stats.readSockstat(buffer)))
            .isEqualTo(sockstatOutcome(() -> KernelStats.parseSockstat(lines)))
            .isEqualTo(sockstatOutcome(stats::readSockstat));
        Path ipv4 = root.resolve("sys/net/ipv4");
        // What the file's first line says, parsed as the kernel's text (reserved ports as written).
        String byLines;
        try {
          String first = lines.isEmpty() ? "" : lines.get(0);
          byLines =
              LocalPorts.parse(first, noise.length() % 2 == 0 ? "" : "8080,9000-9010")
                  .range()
                  .toString();
        } catch (IOException | RuntimeException e) {
          byLines = "none";
        }
        assertThat(LocalPorts.readIfPresent(ipv4, buffer).map(p -> p.range().toString()))
            .hasToString(byLines.equals("none") ? "Optional.empty" : "Optional[" + byLines + "]");
      }
    } finally {
      try (var files = java.nio.file.Files.walk(root)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private interface SockstatRead {
    Sockstat run() throws IOException;
  }

  private static String sockstatOutcome(SockstatRead read) {
    try {
      return read.run().toString();
    } catch (IOException e) {
      return "IOException";
    }
  }

  private interface Parse {
    Map<String, Long> run() throws IOException;
  }

  private static String outcome(Parse parse) {
    try {
      return new java.util.TreeMap<>(parse.run()).toString();
    } catch (IOException e) {
      return "IOException: " + e.getMessage();
    }
  }

  /** The parser before sweeps reused their buffers: every line a string, every field split. */
  private static Map<String, Long> bySplit(List<String> lines) throws IOException {
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
        String[] names = lines.get(i).substring(7).trim().split("\\s+");
        String[] values = lines.get(i + 1).substring(7).trim().split("\\s+");
        if (names.length != values.length) {
          throw new IOException(
              "TcpExt has " + names.length + " names but " + values.length + " values");
        }
        Map<String, Long> result = new java.util.HashMap<>();
        for (int k = 0; k < names.length; k++) {
          if (KernelStats.COUNTERS.contains(names[k])) {
            try {
              result.put(names[k], Long.parseLong(values[k]));
            } catch (NumberFormatException e) {
              String value =
                  values[k].length() <= 32 ? values[k] : values[k].substring(0, 32) + "...";
              throw new IOException("TcpExt " + names[k] + " is '" + value + "', not a counter", e);
            }
          }
        }
        return result;
      }
    }
    throw new IOException("no TcpExt lines in netstat");
  }

  @Property(tries = 2000)
  void netTcpParserNeverThrowsAndHandsOnAtMostOneSocketPerLine(
      @ForAll @Size(max = 2000) byte[] random,
      @ForAll("noise") String noise,
      @ForAll @IntRange(min = 0, max = 10_000) int at) {
    for (byte[] text :
        List.of(
            random,
            cut(TCP, at, noise).getBytes(StandardCharsets.UTF_8),
            cut(TCP, at, "").getBytes(StandardCharsets.ISO_8859_1))) {
      long[] handed = {0};
      StateTally tally = new StateTally();
      new ProcNetTcpCounter(Path.of("/nonexistent"))
          .parseForTest(
              text,
              (state, timer, inode) -> {
                handed[0]++;
                tally.add(state, timer, inode);
              });
      long lines = 0;
      for (byte b : text) {
        if (b == '\n') {
          lines++;
        }
      }
      assertThat(handed[0]).isLessThanOrEqualTo(Math.max(0, lines - 1));
      assertThat(tally.result()).isNotNull();
    }
  }
}
