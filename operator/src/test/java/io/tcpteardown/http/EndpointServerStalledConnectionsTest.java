package io.tcpteardown.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.testsupport.StalledConnections;
import io.tcpteardown.testsupport.StalledConnections.Answer;
import io.tcpteardown.testsupport.StalledConnections.Network;
import io.tcpteardown.tier.UnitTest;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connections that never finish their request header (slow loris), as a tenant pod can open to a
 * node address, hold up neither the probes nor /metrics, and are closed at the header deadline.
 * Loopback only (127.0.0.1 of this host's lo); every loop is bounded in count and time.
 */
@UnitTest
class EndpointServerStalledConnectionsTest {
  private static final Duration PROBE_BOUND = Duration.ofSeconds(1);
  private static final Duration METRICS_BOUND = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(5);

  /**
   * EndpointServer.HEADER_DEADLINE, written out so that this test also compiles on the JDK server.
   */
  private static final Duration DEADLINE = Duration.ofSeconds(3);

  private static final String SCRAPE =
      "tcp_teardown_sockets{state=\"time_wait\"} 1.0\n".repeat(200);

  /** The reproduction: two connections that send one byte and stall. */
  @Test
  void twoConnectionsThatSendOneByteAndStallDoNotHoldUpTheProbe() throws Exception {
    try (EndpointServer server =
        EndpointServer.on("127.0.0.1", 0).probe("/healthz", () -> true).start()) {
      List<SocketChannel> stalled =
          List.of(openAndSend(server.port(), "G"), openAndSend(server.port(), "G"));
      try {
        Thread.sleep(200);
        for (int i = 0; i < 3; i++) {
          Answer answer = StalledConnections.get(Network.here(), server.port(), "/healthz", WAIT);
          assertThat(answer.statusLine()).as("answer %d", i).isEqualTo("HTTP/1.1 200 OK");
          assertThat(answer.took()).isLessThan(PROBE_BOUND);
        }
      } finally {
        for (SocketChannel channel : stalled) {
          channel.close();
        }
      }
    }
  }

  /**
   * The agent's listeners (probes on 127.0.0.1, /metrics and /healthz on the node address) and the
   * operator's (/healthz and /readyz; /metrics), each under 64 silent and 64 trickling connections
   * at once.
   */
  @Test
  void probesAndMetricsAnswerOnEveryListenerUnder64SilentAnd64TricklingConnections()
      throws Exception {
    try (EndpointServer agentProbes =
            EndpointServer.on("127.0.0.1", 0).probe("/healthz", () -> true).start();
        EndpointServer agentMetrics =
            EndpointServer.on("127.0.0.1", 0)
                .probe("/healthz", () -> true)
                .metrics(() -> SCRAPE)
                .start();
        EndpointServer operatorHealth =
            EndpointServer.on(0)
                .probe("/healthz", () -> true)
                .probe("/readyz", () -> true)
                .start();
        EndpointServer operatorMetrics = EndpointServer.on(0).metrics(() -> SCRAPE).start()) {
      record Target(int port, String path, Duration bound) {}
      List<Target> targets =
          List.of(
              new Target(agentProbes.port(), "/healthz", PROBE_BOUND),
              new Target(agentMetrics.port(), "/healthz", PROBE_BOUND),
              new Target(agentMetrics.port(), "/metrics", METRICS_BOUND),
              new Target(operatorHealth.port(), "/healthz", PROBE_BOUND),
              new Target(operatorHealth.port(), "/readyz", PROBE_BOUND),
              new Target(operatorMetrics.port(), "/metrics", METRICS_BOUND));
      List<Integer> ports =
          List.of(
              agentProbes.port(),
              agentMetrics.port(),
              operatorHealth.port(),
              operatorMetrics.port());
      List<StalledConnections> attacks = new java.util.ArrayList<>();
      try {
        for (int port : ports) {
          attacks.add(StalledConnections.open(Network.here(), port, 64, 64));
        }
        // Three rounds over the header deadline: before it, around it, after it, while the
        // trickling connections keep sending and the attacker's connections stay open.
        for (int round = 0; round < 3; round++) {
          for (Target target : targets) {
            Answer answer =
                StalledConnections.get(Network.here(), target.port(), target.path(), WAIT);
            assertThat(answer.statusLine())
                .as("round %d, %s on port %d", round, target.path(), target.port())
                .isEqualTo("HTTP/1.1 200 OK");
            assertThat(answer.took())
                .as("round %d, %s on port %d", round, target.path(), target.port())
                .isLessThan(target.bound());
          }
          Thread.sleep(1200);
        }
        // Every attacking connection was closed at the header deadline (3 s from its accept).
        long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (System.nanoTime() < until
            && attacks.stream().anyMatch(a -> a.closedByServer() < a.count())) {
          Thread.sleep(250);
        }
        for (StalledConnections attack : attacks) {
          assertThat(attack.closedByServer()).isEqualTo(attack.count());
        }
      } finally {
        attacks.forEach(StalledConnections::close);
      }
    }
  }

  /**
   * One byte every 400 ms resets any per-read idle timeout; the deadline is for the whole header,
   * from the accept: the connection is closed about the header deadline (3 s) after it opened, not
   * earlier, and not only once it stops sending.
   */
  @Test
  void aHeaderNotCompleteAtTheDeadlineIsClosedThoughBytesKeepComing() throws Exception {
    try (EndpointServer server = EndpointServer.on("127.0.0.1", 0).metrics(() -> "").start();
        SocketChannel slow =
            SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()))) {
      long opened = System.nanoTime();
      byte[] header =
          "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
              .getBytes(StandardCharsets.US_ASCII);
      Duration closedAfter = null;
      for (int i = 0; i < 25 && closedAfter == null; i++) {
        try {
          slow.write(ByteBuffer.wrap(header, i % header.length, 1));
        } catch (java.io.IOException reset) {
          closedAfter = Duration.ofNanos(System.nanoTime() - opened);
          break;
        }
        Thread.sleep(400);
        if (StalledConnections.isClosedByPeer(slow)) {
          closedAfter = Duration.ofNanos(System.nanoTime() - opened);
        }
        slow.configureBlocking(true);
      }
      assertThat(closedAfter).as("closed while still sending a byte every 400 ms").isNotNull();
      assertThat(closedAfter).isBetween(DEADLINE.minusMillis(100), DEADLINE.plusMillis(1500));
    }
  }

  private static SocketChannel openAndSend(int port, String bytes) throws Exception {
    SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    channel.write(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.US_ASCII)));
    return channel;
  }
}
