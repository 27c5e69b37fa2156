package io.tcpteardown.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** Known populations of teardown states, made over loopback inside a test network namespace. */
public final class Sockets {
  private Sockets() {}

  /**
   * Over {@code address} (127.0.0.1 or ::1), inside the namespace:
   *
   * <ul>
   *   <li>{@code timeWait} connections the client closes first: TIME_WAIT on the client side, for
   *       60 s;
   *   <li>{@code closeWait} connections the server closes while the client keeps its end open:
   *       CLOSE_WAIT on the client, and an orphaned FIN_WAIT2 on the server;
   *   <li>{@code halfClosed} connections whose client shuts down its output but keeps the socket:
   *       FIN_WAIT2 (not an orphan) on the client, CLOSE_WAIT on the server, held by a peer that
   *       never closes.
   * </ul>
   *
   * Returns once no FIN awaits its ACK any more (nothing left in FIN_WAIT1). The returned channels
   * hold the CLOSE_WAIT and half-closed connections until {@link #closeAll}.
   */
  public static List<SocketChannel> populate(
      NetworkNamespace namespace, String address, int timeWait, int closeWait, int halfClosed) {
    List<SocketChannel> kept = open(namespace, address, timeWait, closeWait, halfClosed);
    long deadline = System.nanoTime() + 10_000_000_000L;
    try {
      while (!namespace.exec("ss", "-Htan", "state", "fin-wait-1").isBlank()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("sockets still in FIN_WAIT1 after 10 s");
        }
        Thread.sleep(20);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return kept;
  }

  private static List<SocketChannel> open(
      NetworkNamespace namespace, String address, int timeWait, int closeWait, int halfClosed) {
    return namespace.call(
        () -> {
          List<SocketChannel> kept = new ArrayList<>();
          try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(address, 0), 4096);
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
            for (int i = 0; i < halfClosed; i++) {
              SocketChannel client = SocketChannel.open(server.getLocalAddress());
              kept.add(server.accept());
              client.shutdownOutput();
              kept.add(client);
            }
          }
          return kept;
        });
  }

  /** {@link #populate} over 127.0.0.1 without half-closed connections. */
  public static List<SocketChannel> timeWaitAndCloseWait(
      NetworkNamespace namespace, int timeWait, int closeWait) {
    return populate(namespace, "127.0.0.1", timeWait, closeWait, 0);
  }

  public static void closeAll(List<SocketChannel> channels) throws IOException {
    for (SocketChannel channel : channels) {
      channel.close();
    }
  }
}
