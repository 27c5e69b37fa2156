package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.OperatorProcess;
import io.tcpteardown.testsupport.StalledConnections;
import io.tcpteardown.testsupport.StalledConnections.Answer;
import io.tcpteardown.testsupport.StalledConnections.Network;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator as its own process, as the chart runs it, against the test API server: 64
 * connections that send nothing and 64 that send one byte a second, on each of its two ports
 * (health and metrics, reached on 127.0.0.1; in a cluster any pod reaches them on the pod IP), hold
 * up neither its probes nor /metrics, and are closed at the header deadline.
 */
@ApiTest
class OperatorListenersUnderStalledConnectionsApiTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Pattern LISTENER = Pattern.compile(":(\\d+)\\s");

  @TempDir Path work;

  @Test
  void probesAndMetricsAnswerWhileBothPortsHoldStalledConnections() throws Exception {
    String lease = "lease-" + UUID.randomUUID().toString().substring(0, 8);
    try (KubernetesClient admin = TestCluster.client();
        ChartServiceAccounts accounts =
            ChartServiceAccounts.install(
                admin, Map.of("operator.leaseName", lease), UnaryOperator.identity())) {
      Path log = work.resolve("operator.log");
      Process operator = OperatorProcess.start(accounts, lease, work, log);
      try {
        Network here = Network.here();
        // HEALTH_PORT and METRICS_PORT are 0: find the two ports the process listens on.
        int[] ports = new int[2];
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .untilAsserted(
                () -> {
                  assertThat(operator.isAlive()).as(Files.readString(log)).isTrue();
                  int health = -1;
                  int metrics = -1;
                  for (int port : listeningPorts(operator.pid())) {
                    if ("HTTP/1.1 200 OK"
                        .equals(
                            StalledConnections.get(here, port, "/healthz", WAIT).statusLine())) {
                      health = port;
                    } else if ("HTTP/1.1 200 OK"
                        .equals(
                            StalledConnections.get(here, port, "/metrics", WAIT).statusLine())) {
                      metrics = port;
                    }
                  }
                  assertThat(health).isPositive();
                  assertThat(metrics).isPositive();
                  ports[0] = health;
                  ports[1] = metrics;
                });
        record Target(int port, String path, Duration bound) {}
        List<Target> targets =
            List.of(
                new Target(ports[0], "/healthz", Duration.ofSeconds(1)),
                new Target(ports[0], "/readyz", Duration.ofSeconds(1)),
                new Target(ports[1], "/metrics", Duration.ofSeconds(2)));
        List<StalledConnections> attacks = new ArrayList<>();
        try {
          for (int port : ports) {
            attacks.add(StalledConnections.open(here, port, 64, 64));
          }
          for (int round = 0; round < 3; round++) {
            for (Target target : targets) {
              Answer answer = StalledConnections.get(here, target.port(), target.path(), WAIT);
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
                .as("connections the operator closed at its header deadline")
                .isEqualTo(attack.count());
          }
          assertThat(operator.isAlive()).as(Files.readString(log)).isTrue();
        } finally {
          attacks.forEach(StalledConnections::close);
        }
      } finally {
        operator.destroyForcibly().waitFor();
      }
    }
  }

  /** The TCP ports {@code pid} listens on, from {@code ss}. */
  private static List<Integer> listeningPorts(long pid) throws Exception {
    String out = NetworkNamespace.run("ss", "-Hltnp");
    List<Integer> ports = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.contains("pid=" + pid + ",")) {
        Matcher port = LISTENER.matcher(line);
        if (port.find()) {
          ports.add(Integer.parseInt(port.group(1)));
        }
      }
    }
    return ports;
  }
}
