package io.tcpteardown.testsupport;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** Known populations of teardown states, made over loopback inside a test network namespace. */
public final class Sockets {
  private Sockets() {
  }

  /**
   * {@code timeWait} connections closed by the client first (TIME_WAIT on the client side, for 60 s), and
   * {@code closeWait} connections the server closed while the client keeps its end open (CLOSE_WAIT until the
   * returned channels are closed).
   */
  public static List<SocketChannel> timeWaitAndCloseWait(NetworkNamespace namespace, int timeWait, int closeWait) {
    return namespace.call(() -> {
      List<SocketChannel> kept = new ArrayList<>();
      try (ServerSocketChannel server = ServerSocketChannel.open()) {
        server.bind(new InetSocketAddress("127.0.0.1", 0), timeWait + closeWait);
        for (int i = 0; i < timeWait; i++) {
          SocketChannel client = SocketChannel.open(server.getLocalAddress());
          SocketChannel accepted = server.accept();
          client.close();
          accepted.close();
        }
        for (int i = 0; i < closeWait; i++) {
          SocketChannel client = SocketChannel.open(server.getLocalAddress());
          server.accept().close();
          kept.add(client);
        }
      }
      return kept;
    });
  }

  public static void closeAll(List<SocketChannel> channels) throws java.io.IOException {
    for (SocketChannel channel : channels) {
      channel.close();
    }
  }
}
