package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's runtime in this JVM, on a fake /proc root: it serves its listeners and keeps the
 * node's values; closing it stops every thread it started and frees its ports, once; a listener
 * that cannot be bound ends the start before anything was written, with nothing left running.
 */
@ApiTest
class AgentRuntimeApiTest {
  /** The threads the runtime starts, by name. */
  private static final Set<String> THREADS =
      Set.of("agent-loop", "status-publisher", "event-recorder", "node-capacity");

  @TempDir Path work;

  private AgentSettings settings(String node, Path procRoot, int metricsPort, int probePort) {
    return new AgentSettings(
        node,
        "",
        procRoot,
        work.resolve("state/state.json"),
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        metricsPort,
        "127.0.0.1",
        probePort,
        "127.0.0.1",
        false,
        0.02,
        Duration.ofSeconds(15),
        20,
        50,
        100);
  }

  /** The live runtime threads; their order is the JVM's (a hash map's), so compare them as sets. */
  private static List<Thread> runtimeThreads() {
    List<Thread> threads = new ArrayList<>();
    Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && THREADS.contains(t.getName()))
        .forEach(threads::add);
    return threads;
  }

  @Test
  void itServesAndKeepsTheNodeUntilClosedThenLeavesNothingRunning() throws Exception {
    Path procRoot = FakeProcRoot.create(work);
    Path finTimeout = procRoot.resolve("sys/net/ipv4/tcp_fin_timeout");
    List<Thread> before = runtimeThreads();
    try (KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client)) {
      String node = fixtures.name("runtime");
      client.resource(InProcessAgent.finTimeout(node, 25)).create();
      try {
        AgentRuntime runtime =
            AgentRuntime.start(
                TestCluster.client(), settings(node, procRoot, 0, -1), "test", w -> {});
        int port = runtime.metricsPort();
        try (runtime) {
          await()
              .atMost(Duration.ofSeconds(30))
              .untilAsserted(
                  () -> assertThat(Files.readString(finTimeout).strip()).isEqualTo("25"));
          HttpResponse<String> metrics =
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
          assertThat(metrics.statusCode()).isEqualTo(200);
          assertThat(metrics.body()).contains("tcp_teardown_agent");
          assertThat(runtimeThreads()).hasSizeGreaterThan(before.size());
        }
        runtime.close();
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(() -> assertThat(runtimeThreads()).isSubsetOf(before));
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
            .isInstanceOf(java.net.ConnectException.class);
      } finally {
        client.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }

  @Test
  void aTakenProbePortEndsTheStartBeforeAnythingIsWrittenAndLeavesNothingRunning()
      throws Exception {
    Path procRoot = FakeProcRoot.create(work);
    Path finTimeout = procRoot.resolve("sys/net/ipv4/tcp_fin_timeout");
    List<Thread> before = runtimeThreads();
    try (KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client);
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String node = fixtures.name("runtime-clash");
      client.resource(InProcessAgent.finTimeout(node, 25)).create();
      try {
        assertThatThrownBy(
                () ->
                    AgentRuntime.start(
                        TestCluster.client(),
                        settings(node, procRoot, 0, taken.getLocalPort()),
                        "test",
                        w -> {}))
            .isInstanceOfSatisfying(
                AgentRuntime.ListenerUnavailable.class,
                e -> assertThat(e.listener()).isEqualTo(AgentRuntime.Listener.PROBE));
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(() -> assertThat(runtimeThreads()).isSubsetOf(before));
        Thread.sleep(1500);
        assertThat(Files.readString(finTimeout).strip()).isEqualTo("60");
        assertThat(Files.exists(work.resolve("state/state.json"))).isFalse();
      } finally {
        client.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }
}
