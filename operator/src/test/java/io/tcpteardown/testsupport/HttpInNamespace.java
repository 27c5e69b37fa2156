package io.tcpteardown.testsupport;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A plain HTTP/1.0 GET to 127.0.0.1 inside a network namespace. The JDK's HttpClient connects from
 * its own threads, which are outside the namespace; this connects from the namespace's thread.
 */
public final class HttpInNamespace {
  private HttpInNamespace() {}

  /** The whole response, status line first. */
  public static String get(NetworkNamespace namespace, int port, String path) {
    return namespace.call(
        () -> {
          try (SocketChannel channel =
              SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            channel.write(
                ByteBuffer.wrap(
                    ("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            while (channel.read(buffer) >= 0) {
              response.write(buffer.array(), 0, buffer.position());
              buffer.clear();
            }
            return response.toString(StandardCharsets.UTF_8);
          }
        });
  }
}
