package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The only code that opens files under /proc/sys, and only those of the allowlist ({@link
 * ManagedSysctl}): every path is built from the enum, never from input. The files resolve to the
 * network namespace of the thread that opens them.
 */
public final class SysctlFiles {
  private final Path ipv4;
  private final Path bootId;
  private final Path osRelease;

  public SysctlFiles(Path procRoot) {
    this.ipv4 = procRoot.resolve("sys/net/ipv4");
    this.bootId = procRoot.resolve("sys/kernel/random/boot_id");
    this.osRelease = procRoot.resolve("sys/kernel/osrelease");
  }

  public Path path(ManagedSysctl sysctl) {
    return ipv4.resolve(sysctl.fileName());
  }

  /** More than the text of any managed value: a long, its sign and a newline. */
  private static final int VALUE_LIMIT = 64;

  /** The current value, or empty when this kernel or network namespace has no such file. */
  public OptionalLong read(ManagedSysctl sysctl) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path(sysctl))) {
      // One read from offset 0 with room for the whole value: /proc/sys answers nothing past a
      // first read, so Files.readString, which asks for one byte first, returns a truncated value.
      // A sweep reads this in every pod's namespace: no 8 KiB reader for a few bytes.
      bytes = in.readNBytes(VALUE_LIMIT);
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    }
    if (bytes.length == 0) {
      throw new IOException(path(sysctl) + " is empty");
    }
    String first = untilLineEnd(new String(bytes, StandardCharsets.ISO_8859_1));
    try {
      return OptionalLong.of(Long.parseLong(first.strip()));
    } catch (NumberFormatException e) {
      throw new IOException(path(sysctl) + " holds '" + first + "', not an integer", e);
    }
  }

  private static String untilLineEnd(String text) {
    int end = 0;
    while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
      end++;
    }
    return text.substring(0, end);
  }

  /** Writes the value; the file must exist (sysctl files are never created). */
  public void write(ManagedSysctl sysctl, long value) throws IOException {
    try (OutputStream out = Files.newOutputStream(path(sysctl), StandardOpenOption.WRITE)) {
      out.write((value + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** The kernel's boot id, which changes at every boot; empty where it cannot be read. */
  public Optional<String> bootId() {
    return firstLine(bootId);
  }

  /** The kernel's release ({@code uname -r}), for messages; empty where it cannot be read. */
  public Optional<String> kernelRelease() {
    return firstLine(osRelease).map(r -> r.length() <= 64 ? r : r.substring(0, 64));
  }

  private static Optional<String> firstLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
      return lines.isEmpty() ? Optional.empty() : Optional.of(lines.getFirst().strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
