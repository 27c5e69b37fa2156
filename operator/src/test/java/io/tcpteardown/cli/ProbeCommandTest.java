package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tcpteardown.tier.UnitTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@UnitTest
class ProbeCommandTest {
  private HttpServer server;
  private String base;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body =
              "tcp_teardown_agent_last_report_timestamp_seconds{node=\"a\"} 1.7e9\n"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.createContext(
        "/broken",
        exchange -> {
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void anAnswerWithTheTextExitsZero() {
    CliRun run =
        CliRun.of(
            "probe",
            base + "/metrics",
            "--expect",
            "tcp_teardown_agent_last_report_timestamp_seconds");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("HTTP 200", "contains");
  }

  @Test
  void aWrongAnswerExitsOneAndNoAnswerTwo() throws Exception {
    assertThat(CliRun.of("probe", base + "/metrics", "--expect", "not there").exit()).isEqualTo(1);
    assertThat(CliRun.of("probe", base + "/broken").exit()).isEqualTo(1);
    int port = server.getAddress().getPort();
    server.stop(0);
    CliRun refused = CliRun.of("probe", "http://127.0.0.1:" + port + "/metrics", "--timeout", "2s");
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("did not answer");
    assertThat(CliRun.of("probe", "ftp://example.org/x").exit()).isEqualTo(2);
  }
}
