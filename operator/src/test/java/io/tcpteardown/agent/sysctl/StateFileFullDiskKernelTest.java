package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.StateFileChild;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state file on a full disk: a tmpfs of a few KiB mounted in a child process's private mount
 * namespace ({@code unshare -m}; the host's mount table never sees it). Linux answers a write on a
 * nearly full file system with a short count, then with ENOSPC: a save must either fail and leave
 * the previous file loading as before, or return with the file loading to exactly what it saved.
 */
@KernelTest
class StateFileFullDiskKernelTest {
  private static final Pattern DONE =
      Pattern.compile("DONE saved=(\\d+) failed=(\\d+) mismatches=(\\d+)");

  @TempDir Path dir;

  @BeforeEach
  void root() {
    NetworkNamespace.requireNamespaces();
  }

  @Test
  void savesUntilTheDiskIsFullAndEveryLoadEqualsTheLastSuccessfulSave() throws Exception {
    Path mount = Files.createDirectories(dir.resolve("tmpfs"));
    List<String> lines =
        StateFileChild.run(
            new ProcessBuilder(
                StateFileChild.inPrivateTmpfs(
                    mount,
                    "16k",
                    StateFileChild.command("fill", mount.resolve("state.json").toString()))),
            dir.resolve("fill.log"),
            Duration.ofMinutes(2));

    String report = String.join("\n", lines);
    assertThat(lines).as(report).noneMatch(line -> line.startsWith("MISMATCH"));
    assertThat(lines).as(report).noneMatch(line -> line.startsWith("TEMPORARY"));
    Matcher done =
        lines.stream()
            .map(DONE::matcher)
            .filter(Matcher::matches)
            .findFirst()
            .orElseThrow(() -> new AssertionError(report));
    assertThat(Integer.parseInt(done.group(1))).as("successful saves: " + report).isGreaterThan(5);
    assertThat(Integer.parseInt(done.group(2))).as("failed saves: " + report).isGreaterThan(0);
    assertThat(lines)
        .as(report)
        .anyMatch(line -> line.startsWith("failed") && line.contains("No space left on device"));
    // The tmpfs lived only in the child's mount namespace.
    try (var listing = Files.list(mount)) {
      assertThat(listing).isEmpty();
    }
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(mount.toString());
  }

  /**
   * The agent's sysctl writer with a state file on a file system with one free page: the original
   * cannot be saved, so the profile's value is not written and the result says why; emptying the
   * spec then leaves the node at its original, on the full disk and once space is freed.
   */
  @Test
  void anOriginalThatCannotBeSavedIsNeverOverwrittenAndTheNodeKeepsItsOriginal() throws Exception {
    try (NetworkNamespace namespace = NetworkNamespace.create("fulldisk")) {
      String original = namespace.sysctl("net.ipv4.tcp_fin_timeout");
      Path mount = Files.createDirectories(dir.resolve("tmpfs"));
      Path state = mount.resolve("state.json");
      List<String> lines =
          StateFileChild.run(
              namespace.processBuilder(
                  StateFileChild.inPrivateTmpfs(
                      mount, "32k", StateFileChild.command("agent-full-disk", state.toString()))),
              dir.resolve("agent.log"),
              Duration.ofMinutes(2));

      String report = String.join("\n", lines);
      assertThat(line(lines, "original ")).startsWith("original " + original + " file ");
      assertThat(lines).as(report).contains("free 4096 bytes");
      String profile = line(lines, "profile ");
      assertThat(profile)
          .as(report)
          .contains("applied={}", "kernel=" + original + " ")
          .contains("cannot save the state file " + state)
          .contains("No space left on device", "free space");
      assertThat(line(lines, "emptied on the full disk "))
          .as(report)
          .contains("kernel=" + original + " ");
      assertThat(line(lines, "emptied with space "))
          .as(report)
          .isEqualTo("emptied with space kernel=" + original + " problem=none");
      assertThat(lines).as(report).contains("pods 24");
      assertThat(namespace.sysctl("net.ipv4.tcp_fin_timeout")).isEqualTo(original);
    }
  }

  private static String line(List<String> lines, String prefix) {
    return lines.stream()
        .filter(line -> line.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line " + prefix + " in " + lines));
  }
}
