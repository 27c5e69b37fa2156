package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.Sockets;
import io.tcpteardown.tier.KernelTest;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code node-report --pods} on a machine without a cluster: a simulated pod is named by the UID in
 * its cgroup path, a bare namespace by its inode and a process, each with its own counts.
 */
@KernelTest
class NodeReportPodsKernelTest {
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<SocketChannel> held = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    Sockets.closeAll(held);
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void everyNamespaceIsReportedWithItsPodOrItsProcess() throws Exception {
    NetworkNamespace podNamespace = NetworkNamespace.create("rpod");
    resources.add(podNamespace);
    podNamespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
    held.addAll(Sockets.timeWaitAndCloseWait(podNamespace, 33, 4));
    String uid = UUID.randomUUID().toString();
    SimulatedPod pod =
        SimulatedPod.start(
            podNamespace,
            "tcp-teardown-test-" + uid.substring(0, 8),
            uid,
            SimulatedPod.Driver.SYSTEMD,
            SimulatedPod.Qos.BURSTABLE);
    resources.add(pod);
    NetworkNamespace bare = NetworkNamespace.create("rbare");
    resources.add(bare);
    Process sleeper =
        new ProcessBuilder("nsenter", "--net=/var/run/netns/" + bare.name(), "sleep", "600")
            .start();
    resources.add(sleeper::destroyForcibly);
    Thread.sleep(200);

    CliRun json = CliRun.of("node-report", "--pods", "--json");
    assertThat(json.exit()).as(json.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(json.out());
    assertThat(report.path("node").path("sysctls").isArray()).isTrue();
    JsonNode mine = find(report, "podUid", uid);
    assertThat(mine.path("containerId").asText()).isEqualTo(pod.containerId());
    assertThat(mine.path("timeWait").asLong()).isEqualTo(33);
    assertThat(mine.path("closeWait").asLong()).isEqualTo(4);
    assertThat(mine.path("maxTwBuckets").asLong()).isPositive();
    JsonNode other = find(report, "pid", Long.toString(sleeper.pid()));
    assertThat(other.path("podUid").isNull()).isTrue();
    assertThat(other.path("command").asText()).isEqualTo("sleep");

    CliRun table = CliRun.of("node-report", "--pods");
    assertThat(table.out()).contains("pod " + uid).contains("sleep");
  }

  private static JsonNode find(JsonNode report, String field, String value) {
    for (JsonNode entry : report.path("namespaces")) {
      if (entry.path(field).asText().equals(value)) {
        return entry;
      }
    }
    throw new AssertionError("no namespace with " + field + " " + value + " in " + report);
  }
}
