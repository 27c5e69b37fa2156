package io.tcpteardown.agent.sysctl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code MemTotal} of {@code /proc/meminfo}, the memory the kernel manages, in bytes. Bounded: at
 * most {@link #MAX_BYTES} of the file are read (the kernel writes about 1.5 KiB), the value has at
 * most {@link #MAX_DIGITS} digits and must fit {@link #MAX_MEMORY_BYTES}; anything else (no such
 * line, another unit, a number that does not fit, a cut file) reads as unknown, never as an
 * exception.
 */
public final class MemInfo {
  /** How much of the file is read. */
  public static final int MAX_BYTES = 16 * 1024;

  /** Digits of the kB value: 15 digits of kB is about 888 PiB. */
  static final int MAX_DIGITS = 15;

  /** Larger is read as unknown: the memory rule multiplies the node's memory by a percentage. */
  static final long MAX_MEMORY_BYTES = Long.MAX_VALUE / 100;

  private static final String KEY = "MemTotal:";

  private MemInfo() {}

  /** MemTotal of {@code <procRoot>/meminfo}; empty when the file is missing or unreadable. */
  public static Optional<Long> memTotalBytes(Path procRoot) {
    byte[] head;
    try (InputStream in = Files.newInputStream(procRoot.resolve("meminfo"))) {
      head = in.readNBytes(MAX_BYTES);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return parse(new String(head, StandardCharsets.US_ASCII));
  }

  /**
   * MemTotal of the text of {@code /proc/meminfo} ({@code MemTotal: 16318412 kB}); the first such
   * line counts, and only a whole line (a line cut at the end of what was read is not).
   */
  public static Optional<Long> parse(String content) {
    if (content == null) {
      return Optional.empty();
    }
    int limit = Math.min(content.length(), MAX_BYTES);
    int start = 0;
    while (start < limit) {
      int end = content.indexOf('\n', start);
      if (end < 0 || end >= limit) {
        return Optional.empty();
      }
      if (content.startsWith(KEY, start)) {
        return value(content.substring(start + KEY.length(), end));
      }
      start = end + 1;
    }
    return Optional.empty();
  }

  private static Optional<Long> value(String rest) {
    String text = rest.strip();
    if (!text.endsWith(" kB")) {
      return Optional.empty();
    }
    String digits = text.substring(0, text.length() - 3);
    if (digits.isEmpty() || digits.length() > MAX_DIGITS) {
      return Optional.empty();
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return Optional.empty();
      }
    }
    long kib = Long.parseLong(digits);
    if (kib <= 0 || kib > MAX_MEMORY_BYTES / 1024) {
      return Optional.empty();
    }
    return Optional.of(kib * 1024);
  }
}
