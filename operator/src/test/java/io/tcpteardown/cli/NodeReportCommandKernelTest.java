package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.Sockets;
import io.tcpteardown.tier.KernelTest;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** node-report run inside a fresh network namespace, on the thread that joined it. */
@KernelTest
class NodeReportCommandKernelTest {
  private NetworkNamespace namespace;
  private List<SocketChannel> held;

  @BeforeEach
  void namespaceWithTroubles() throws Exception {
    namespace = NetworkNamespace.create("report");
    namespace.setSysctl("net.ipv4.tcp_timestamps", "0");
    // 95 TIME_WAIT is 90% of 105; the 7 orphaned FIN_WAIT2 also take time-wait buckets: 102 fit in
    // 105.
    namespace.setSysctl("net.ipv4.tcp_max_tw_buckets", "105");
    held = Sockets.timeWaitAndCloseWait(namespace, 95, 7);
  }

  @AfterEach
  void close() throws Exception {
    Sockets.closeAll(held);
    namespace.close();
  }

  private CliRun report(String... flags) {
    String[] args = new String[flags.length + 3];
    args[0] = "node-report";
    args[1] = "--proc-root";
    args[2] = namespace.procRoot().toString();
    System.arraycopy(flags, 0, args, 3, flags.length);
    return namespace.call(() -> CliRun.of(args));
  }

  @Test
  void adviseLocalPrintsAProfileForThisMachineFromTheSameLookThatValidatePasses(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    CliRun run =
        namespace.call(
            () ->
                CliRun.of(
                    "advise",
                    "--local",
                    "--proc-root",
                    namespace.procRoot().toString(),
                    "--node-name",
                    "worker-1",
                    "--every",
                    "10ms"));
    assertThat(run.exit()).as(run.err()).isZero();
    // 95 TIME_WAIT and 7 orphaned FIN_WAIT2 mini-sockets in a table of 105: a larger one.
    assertThat(run.out())
        .contains("kind: TcpTeardownProfile", "maxTwBuckets:", "worker-1", "TimeWaitTableFull");
    java.nio.file.Path printed = dir.resolve("advised.yaml");
    java.nio.file.Files.writeString(printed, run.out());
    CliRun validate = CliRun.of("validate", "-f", printed.toString());
    assertThat(validate.exit()).as(validate.out() + validate.err()).isZero();

    CliRun both = CliRun.of("advise", "--local", "--for-profile", "base");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--local and --for-profile");
  }

  @Test
  void jsonGivesSysctlsWithScopeStateCountsCountersAndWarnings() throws Exception {
    CliRun run = report("--json");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(run.out());
    JsonNode finTimeout = find(json.get("sysctls"), "net.ipv4.tcp_fin_timeout");
    assertThat(finTimeout.get("value").asLong()).isEqualTo(60);
    assertThat(finTimeout.get("scope").asText()).isEqualTo("network-namespace");
    assertThat(finTimeout.get("field").asText()).isEqualTo("finTimeoutSeconds");
    assertThat(finTimeout.get("setting").asText()).isEqualTo("60");
    JsonNode twReuse = find(json.get("sysctls"), "net.ipv4.tcp_tw_reuse");
    assertThat(twReuse.get("value").asLong()).isEqualTo(2);
    assertThat(twReuse.get("setting").asText()).isEqualTo("LoopbackOnly");
    assertThat(find(json.get("sysctls"), "net.ipv4.tcp_timestamps").get("setting").asText())
        .isEqualTo("Disabled");
    JsonNode maxOrphans = find(json.get("sysctls"), "net.ipv4.tcp_max_orphans");
    assertThat(maxOrphans.get("value").isNull()).isTrue();
    assertThat(maxOrphans.get("scope").asText()).isEqualTo("node");
    assertThat(json.get("states").get("timeWait").asLong()).isEqualTo(95);
    assertThat(json.get("states").get("closeWait").asLong()).isEqualTo(7);
    assertThat(json.get("states").get("finWait2").asLong()).isEqualTo(7);
    assertThat(json.get("counters").has("timeWaitOverflow")).isTrue();
    assertThat(json.get("counters").has("abortOnMemory")).isTrue();
    assertThat(json.get("warnings").findValuesAsText("kind"))
        .containsExactlyInAnyOrder("TimestampsOff", "TimeWaitNearLimit");
  }

  @Test
  void theTableShowsTheSameFacts() {
    CliRun run = report();
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "net.ipv4.tcp_max_orphans",
            "(absent)",
            "node",
            "TIME_WAIT",
            "warning: net.ipv4.tcp_tw_reuse is 2 but net.ipv4.tcp_timestamps is 0");
    assertThat(run.out().lines().filter(l -> l.startsWith("net.ipv4.tcp_tw_reuse ")))
        .singleElement()
        .satisfies(line -> assertThat(line.split("\\s+")[1]).isEqualTo("LoopbackOnly"));
    // The server ends of the CLOSE_WAIT pairs closed first: 7 orphans in FIN_WAIT2. Orphans are
    // node-wide.
    assertThat(run.out().lines())
        .anyMatch(l -> l.matches("0\\s+7\\s+95\\s+7\\s+0\\s+0\\s+\\d+\\s*"));
  }

  private static JsonNode find(JsonNode sysctls, String name) {
    return StreamSupport.stream(sysctls.spliterator(), false)
        .filter(s -> s.get("name").asText().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
