package io.tcpteardown.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Loopback only: 127.0.0.1 and 127.0.0.2 are two addresses of this host's lo. */
@UnitTest
class EndpointServerTest {

  private static boolean reachable(String address, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 2000);
      return true;
    } catch (ConnectException e) {
      return false;
    }
  }

  @Test
  void anAddressLimitsTheServerToThatAddress() throws Exception {
    try (EndpointServer server = EndpointServer.on("127.0.0.1", 0).metrics(() -> "").start()) {
      assertThat(reachable("127.0.0.1", server.port())).isTrue();
      assertThat(reachable("127.0.0.2", server.port())).isFalse();
    }
  }

  @Test
  void withoutAnAddressItListensOnEveryAddress() throws Exception {
    try (EndpointServer server = EndpointServer.on(" ", 0).metrics(() -> "").start()) {
      assertThat(reachable("127.0.0.1", server.port())).isTrue();
      assertThat(reachable("127.0.0.2", server.port())).isTrue();
    }
  }

  @Test
  void aTakenPortFailsAtStartNamingAddressAndPort() throws Exception {
    try (EndpointServer first = EndpointServer.on("127.0.0.1", 0).metrics(() -> "").start()) {
      int port = first.port();
      assertThatThrownBy(() -> EndpointServer.on("127.0.0.1", port).metrics(() -> "").start())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("127.0.0.1 port " + port);
    }
  }

  /**
   * The Prometheus text writer writes through a java.io.BufferedWriter, which on a virtual thread
   * starts at 512 chars and grows to each write's need, copying the buffer every time: 10-11 MB of
   * garbage per scrape of the operator's metrics (about 130 KB on a platform thread), which made
   * the operator collect garbage 12% of the time while the benchmark read its count of writes.
   */
  @Test
  void aScrapeOfTheOperatorsMetricsAllocatesKilobytesNotMegabytes() throws Exception {
    var metrics = new io.tcpteardown.operator.OperatorMetrics();
    var threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    int scrapes = 20;
    try (EndpointServer server =
            EndpointServer.on("127.0.0.1", 0).metrics(metrics::scrape).start();
        HttpClient http = HttpClient.newHttpClient()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
              .build();
      // Once before counting: classes load and the server starts its threads.
      assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).body())
          .contains("jvm_threads_live_threads");
      long before = threads.getTotalThreadAllocatedBytes();
      for (int i = 0; i < scrapes; i++) {
        http.send(request, HttpResponse.BodyHandlers.discarding());
      }
      long perScrape = (threads.getTotalThreadAllocatedBytes() - before) / scrapes;
      // Every thread of this JVM counts, the client's included: a bound well above a platform
      // thread's scrape and far below a virtual thread's.
      assertThat(perScrape).isLessThan(2_000_000L);
    }
  }
}
