package io.tcpteardown.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
}
