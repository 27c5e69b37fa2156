package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import java.io.IOException;
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

  /** The current value, or empty when this kernel or network namespace has no such file. */
  public OptionalLong read(ManagedSysctl sysctl) throws IOException {
    List<String> lines;
    try {
      // Not Files.readString: on /proc it may return a truncated value on this JDK.
      lines = Files.readAllLines(path(sysctl), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    }
    if (lines.isEmpty()) {
      throw new IOException(path(sysctl) + " is empty");
    }
    try {
      return OptionalLong.of(Long.parseLong(lines.getFirst().strip()));
    } catch (NumberFormatException e) {
      throw new IOException(path(sysctl) + " holds '" + lines.getFirst() + "', not an integer", e);
    }
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
