package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's client speaks HTTP/1.1. Over plain HTTP, Java's client asks to upgrade each
 * connection to HTTP/2 ({@code Upgrade: h2c}) unless it is limited to HTTP/1.1: a server that
 * records the requests' headers shows which.
 */
@UnitTest
class OperatorClientTest {
  private HttpServer server;
  private final List<String> upgrades = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          upgrades.add(String.valueOf(exchange.getRequestHeaders().getFirst("Upgrade")));
          byte[] body =
              "{\"apiVersion\":\"v1\",\"kind\":\"NodeList\",\"metadata\":{},\"items\":[]}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void theOperatorsClientNeverAsksForHttp2() {
    listNodes(OperatorClient::create);
    assertThat(upgrades).containsExactly("null");
  }

  /** The control: a default client asks for HTTP/2, so the server above would see it. */
  @Test
  void aDefaultClientAsksForHttp2() {
    listNodes(config -> new KubernetesClientBuilder().withConfig(config).build());
    assertThat(upgrades).containsExactly("h2c");
  }

  private void listNodes(Function<Config, KubernetesClient> clients) {
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
            .build();
    try (KubernetesClient client = clients.apply(config)) {
      assertThat(client.nodes().list().getItems()).isEmpty();
    }
  }
}
