package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the scanner reads a process's cgroup file, whatever bytes its cgroup names hold. */
@UnitTest
class NamespaceScannerCgroupTest {
  private static final String UID = "5f8c2a1e-3b4d-4c6e-9f70-81a2b3c4d5e6";

  @TempDir Path proc;

  @Test
  void bytesThatAreNotUtf8ElsewhereDoNotHideThePod() throws Exception {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    content.writeBytes("3:cpu:/odd-".getBytes(StandardCharsets.US_ASCII));
    content.writeBytes(new byte[] {(byte) 0xff, (byte) 0xc3, '\n'});
    content.writeBytes(
        ("0::/kubepods/burstable/pod" + UID + "/" + "ab".repeat(32) + "\n")
            .getBytes(StandardCharsets.US_ASCII));
    Files.createDirectories(proc.resolve("42"));
    Files.write(proc.resolve("42/cgroup"), content.toByteArray());

    assertThat(new NamespaceScanner(proc).cgroupOf(42).flatMap(PodCgroup::parse))
        .hasValueSatisfying(pod -> assertThat(pod.podUid()).isEqualTo(UID));
  }

  @Test
  void aCgroupFileLongerThanTheLimitIsNotRead() throws Exception {
    Files.createDirectories(proc.resolve("43"));
    Files.writeString(
        proc.resolve("43/cgroup"),
        "0::/kubepods/pod" + UID + "/" + "x".repeat(NamespaceScanner.CGROUP_LIMIT) + "\n");
    assertThat(new NamespaceScanner(proc).cgroupOf(43)).isEmpty();
  }
}
