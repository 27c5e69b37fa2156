package io.tcpteardown.agent.count;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The TCP established-socket hash table of one network namespace, from {@code
 * net.ipv4.tcp_ehash_entries} (Linux 6.1+): positive, the namespace has its own table of that many
 * buckets (the initial namespace always reads positive); negative, it shares the host's table,
 * whose size is the absolute value. A netlink dump in a namespace that shares the table walks every
 * socket of the node.
 *
 * @param own whether the namespace has a table of its own
 * @param buckets the size of the table the namespace uses; 0 when the kernel does not say
 */
public record EhashTable(boolean own, long buckets) {
  /** A kernel before 6.1 has no per-namespace table: every namespace shares one of unknown size. */
  public static final EhashTable SHARED_UNKNOWN = new EhashTable(false, 0);

  /** More than any long and its newline. */
  private static final int MAX_TEXT = 64;

  public EhashTable {
    if (buckets < 0) {
      throw new IllegalArgumentException("buckets must not be negative: " + buckets);
    }
  }

  /**
   * Reads {@code <procRoot>/sys/net/ipv4/tcp_ehash_entries} as seen by the calling thread's network
   * namespace; a kernel without the file (before 6.1) gives {@link #SHARED_UNKNOWN}.
   */
  public static EhashTable read(Path procRoot) throws IOException {
    Path file = procRoot.resolve("sys/net/ipv4/tcp_ehash_entries");
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // One read from offset 0 with room for any value: /proc/sys answers nothing past a first
      // read, and Files.readString asks for one byte first (it read "-" of a negative value).
      bytes = in.readNBytes(MAX_TEXT);
    } catch (NoSuchFileException e) {
      return SHARED_UNKNOWN;
    }
    return parse(new String(bytes, StandardCharsets.ISO_8859_1));
  }

  static EhashTable parse(String text) throws IOException {
    long value;
    try {
      value = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      String shown = text.length() <= 32 ? text : text.substring(0, 32) + "...";
      throw new IOException("tcp_ehash_entries is '" + shown + "', not a number", e);
    }
    if (value == Long.MIN_VALUE) {
      throw new IOException("tcp_ehash_entries is out of range: " + value);
    }
    return new EhashTable(value > 0, Math.abs(value));
  }
}
