package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.StalledConnections;
import io.tcpteardown.testsupport.StalledConnections.Answer;
import io.tcpteardown.testsupport.StalledConnections.Network;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as its own process, in a network namespace standing for a node, with the listeners the
 * chart gives it: the probe listener (default port 9103 on 127.0.0.1) and /metrics and /healthz on
 * 9102. A tenant's slow-loris connections on both ports (64 that send nothing and 64 that send one
 * byte a second, on each) hold up neither the probes nor /metrics, and the agent closes them at its
 * header deadline. No API server: the agent serves its endpoints without one.
 */
@KernelTest
class AgentListenersUnderStalledConnectionsKernelTest {
  private static final int METRICS_PORT = 9102;
  private static final int PROBE_PORT = 9103;
  private static final Duration WAIT = Duration.ofSeconds(5);

  private static final String NO_API_SERVER =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: none
        cluster:
          server: https://127.0.0.1:1
          insecure-skip-tls-verify: true
      contexts:
      - name: none
        context:
          cluster: none
          user: none
      current-context: none
      users:
      - name: none
        user:
          token: none
      """;

  @TempDir Path work;

  @Test
  void probesAndMetricsAnswerWhileEveryPortHoldsStalledConnections() throws Exception {
    try (NetworkNamespace namespace = NetworkNamespace.create("loris");
        AgentProcess agent = new AgentProcess(namespace, work)) {
      Network node = Network.of(namespace);
      agent.startAgent(
          NO_API_SERVER,
          "lonely",
          AgentProcess.DEFAULT_JVM_FLAGS,
          "--pods",
          "false",
          "--metrics-port",
          String.valueOf(METRICS_PORT));
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(
                          StalledConnections.get(node, METRICS_PORT, "/metrics", WAIT).statusLine())
                      .isEqualTo("HTTP/1.1 200 OK"));

      record Target(int port, String path, Duration bound) {}
      List<Target> targets =
          List.of(
              new Target(PROBE_PORT, "/healthz", Duration.ofSeconds(1)),
              new Target(METRICS_PORT, "/healthz", Duration.ofSeconds(1)),
              new Target(METRICS_PORT, "/metrics", Duration.ofSeconds(2)));
      List<StalledConnections> attacks = new ArrayList<>();
      try {
        // The node address's port first, which every pod reaches, then the probe listener.
        attacks.add(StalledConnections.open(node, METRICS_PORT, 64, 64));
        for (Target target : targets.subList(1, 3)) {
          Answer answer = StalledConnections.get(node, target.port(), target.path(), WAIT);
          String what = target.path() + " on port " + target.port();
          assertThat(answer.statusLine()).as(what).isEqualTo("HTTP/1.1 200 OK");
          assertThat(answer.took()).as(what).isLessThan(target.bound());
        }
        attacks.add(StalledConnections.open(node, PROBE_PORT, 64, 64));
        for (int round = 0; round < 3; round++) {
          for (Target target : targets) {
            Answer answer = StalledConnections.get(node, target.port(), target.path(), WAIT);
            String what = "round " + round + ", " + target.path() + " on port " + target.port();
            assertThat(answer.statusLine()).as(what).isEqualTo("HTTP/1.1 200 OK");
            assertThat(answer.took()).as(what).isLessThan(target.bound());
          }
          Thread.sleep(1200);
        }
        long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (System.nanoTime() < until
            && attacks.stream().anyMatch(a -> a.closedByServer() < a.count())) {
          Thread.sleep(250);
        }
        for (StalledConnections attack : attacks) {
          assertThat(attack.closedByServer())
              .as("connections the agent closed at its header deadline")
              .isEqualTo(attack.count());
        }
        assertThat(agent.alive()).as(agent.logText()).isTrue();
      } finally {
        attacks.forEach(StalledConnections::close);
      }
    }
  }
}
