package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plan against a proc tree laid out on disk (what --proc-root is for): reads the sysctl files,
 * writes none.
 */
@UnitTest
class PlanCommandTest {
  @TempDir Path dir;

  private Path procRoot;

  @BeforeEach
  void procTree() throws Exception {
    procRoot = dir.resolve("proc");
    Path ipv4 = Files.createDirectories(procRoot.resolve("sys/net/ipv4"));
    Map<String, String> values =
        Map.of(
            "tcp_orphan_retries",
            "0",
            "tcp_fin_timeout",
            "60",
            "tcp_max_tw_buckets",
            "32768",
            "tcp_tw_reuse",
            "2",
            "tcp_timestamps",
            "1");
    for (var entry : values.entrySet()) {
      Files.writeString(ipv4.resolve(entry.getKey()), entry.getValue() + "\n");
    }
    Files.writeString(
        procRoot.resolve("meminfo"), "MemTotal:        2097152 kB\nMemFree:   1000 kB\n");
  }

  private Path profiles(String yaml) throws Exception {
    return Files.writeString(dir.resolve("profiles.yaml"), yaml);
  }

  private static String line(String out, String field) {
    return out.lines().filter(l -> l.startsWith(field + " ")).findFirst().orElseThrow();
  }

  @Test
  void showsCurrentAndDesiredFieldByFieldAndWritesNothing() throws Exception {
    Path file =
        profiles(
            """
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata: {name: base}
        spec: {finTimeoutSeconds: 30, timestamps: Enabled}
        ---
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata: {name: web}
        spec:
          nodeSelector: {matchLabels: {role: web}}
          priority: 10
          finTimeoutSeconds: 15
          maxTwBuckets: 200000
          maxOrphans: 65536
        """);
    CliRun run =
        CliRun.of(
            "plan",
            "-f",
            file.toString(),
            "--proc-root",
            procRoot.toString(),
            "--node-labels",
            "role=web,zone=a");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("Profiles selecting this node: base, web");
    assertThat(line(run.out(), "finTimeoutSeconds")).contains("60", "15", "change (from web)");
    assertThat(line(run.out(), "maxTwBuckets")).contains("32768", "200000", "change (from web)");
    assertThat(line(run.out(), "timestamps")).contains("unchanged (from base)");
    assertThat(line(run.out(), "twReuse")).contains("leave alone");
    // 65536 orphans x 64 KiB = 4 GiB, over 25% of this machine's 2 GiB: held back, as the operator
    // would.
    assertThat(line(run.out(), "maxOrphans")).contains("(absent)", "held back", "25%");
    assertThat(Files.readAllLines(procRoot.resolve("sys/net/ipv4/tcp_fin_timeout")))
        .containsExactly("60");
  }

  @Test
  void aProfileThatDoesNotSelectTheNodeChangesNothing() throws Exception {
    Path file =
        profiles(
            """
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata: {name: web}
        spec: {nodeSelector: {matchLabels: {role: web}}, finTimeoutSeconds: 15}
        """);
    CliRun run = CliRun.of("plan", "-f", file.toString(), "--proc-root", procRoot.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("No valid profile selects a node with labels {}");
    assertThat(line(run.out(), "finTimeoutSeconds")).contains("leave alone");
  }

  @Test
  void aSetFieldWhoseSysctlIsAbsentCannotBeApplied() throws Exception {
    Path file =
        profiles(
            """
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata: {name: small}
        spec: {maxOrphans: 4096}
        """);
    CliRun run = CliRun.of("plan", "-f", file.toString(), "--proc-root", procRoot.toString());
    assertThat(line(run.out(), "maxOrphans")).contains("cannot apply", "node-wide");
  }

  @Test
  void rejectedProfilesExitOneWithTheirMessageAndUnreadableInputExitsTwo() throws Exception {
    Path file =
        profiles(
            """
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata: {name: old}
        spec: {twRecycle: true, finTimeoutSeconds: 30}
        """);
    CliRun rejected = CliRun.of("plan", "-f", file.toString(), "--proc-root", procRoot.toString());
    assertThat(rejected.exit()).isEqualTo(1);
    assertThat(rejected.out()).contains("rejected, contributes nothing", "tcp_tw_recycle");
    assertThat(line(rejected.out(), "finTimeoutSeconds")).contains("leave alone");

    CliRun missing = CliRun.of("plan", "-f", dir.resolve("nope.yaml").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(List.of(missing.err())).anySatisfy(e -> assertThat(e).contains("no such file"));
  }
}
