package io.tcpteardown.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A slow-loris attack on one port of 127.0.0.1, as a tenant pod would make on a node address:
 * connections that send nothing, and connections that send one byte of a request header per second
 * and never finish it. Bounded: the trickle stops by itself after {@link #TRICKLE_LIMIT} and at
 * {@link #close}.
 */
public final class StalledConnections implements AutoCloseable {
  /** The longest the trickle runs, whatever the test does. */
  public static final Duration TRICKLE_LIMIT = Duration.ofSeconds(60);

  private static final byte[] HEADER =
      "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          .getBytes(StandardCharsets.US_ASCII);

  /**
   * Where connections are made: directly for this process's loopback, or on a network namespace's
   * thread ({@code namespace::call}), so that the sockets belong to that namespace.
   */
  public interface Network {
    <T> T run(Callable<T> task) throws Exception;

    static Network here() {
      return Callable::call;
    }

    static Network of(NetworkNamespace namespace) {
      return namespace::call;
    }
  }

  /** An answer, or none, and how long it took. */
  public record Answer(String statusLine, Duration took) {
    public boolean answered() {
      return statusLine != null;
    }
  }

  private final List<SocketChannel> silent;
  private final List<SocketChannel> trickling;
  private final ScheduledExecutorService trickle;
  private final AtomicInteger sent = new AtomicInteger();

  private StalledConnections(List<SocketChannel> silent, List<SocketChannel> trickling) {
    this.silent = silent;
    this.trickling = trickling;
    this.trickle =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("trickle").unstarted(r));
    long started = System.nanoTime();
    trickle.scheduleAtFixedRate(
        () -> {
          if (System.nanoTime() - started > TRICKLE_LIMIT.toNanos()) {
            trickle.shutdown();
            return;
          }
          int index = sent.getAndIncrement();
          for (SocketChannel channel : trickling) {
            try {
              channel.write(ByteBuffer.wrap(HEADER, index % HEADER.length, 1));
            } catch (IOException closedByTheServer) {
              // Counted by closedByServer().
            }
          }
        },
        0,
        1,
        TimeUnit.SECONDS);
  }

  /**
   * Opens {@code silentCount} connections that send nothing and {@code tricklingCount} that send
   * one byte a second, to 127.0.0.1:{@code port} of {@code network}.
   */
  public static StalledConnections open(
      Network network, int port, int silentCount, int tricklingCount) throws Exception {
    List<SocketChannel> silent = new ArrayList<>();
    List<SocketChannel> trickling = new ArrayList<>();
    network.run(
        () -> {
          for (int i = 0; i < silentCount; i++) {
            silent.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
          }
          for (int i = 0; i < tricklingCount; i++) {
            trickling.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
          }
          return null;
        });
    return new StalledConnections(silent, trickling);
  }

  /** How many of these connections the server has closed (end of stream or reset). */
  public int closedByServer() {
    int closed = 0;
    for (SocketChannel channel : all()) {
      if (isClosedByPeer(channel)) {
        closed++;
      }
    }
    return closed;
  }

  public int count() {
    return silent.size() + trickling.size();
  }

  private List<SocketChannel> all() {
    List<SocketChannel> all = new ArrayList<>(silent);
    all.addAll(trickling);
    return all;
  }

  /** Whether the peer closed {@code channel}: a non-blocking read sees end of stream or a reset. */
  public static boolean isClosedByPeer(SocketChannel channel) {
    try {
      synchronized (channel.blockingLock()) {
        channel.configureBlocking(false);
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        int read;
        while ((read = channel.read(buffer)) > 0) {
          buffer.clear();
        }
        return read < 0;
      }
    } catch (IOException reset) {
      return true;
    }
  }

  /**
   * One GET of {@code path} on 127.0.0.1:{@code port} of {@code network}, waiting at most {@code
   * limit} for connecting and for each read; the status line, or null when none came in time.
   */
  public static Answer get(Network network, int port, String path, Duration limit)
      throws Exception {
    long start = System.nanoTime();
    String status =
        network.run(
            () -> {
              try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), (int) limit.toMillis());
                socket.setSoTimeout((int) limit.toMillis());
                socket
                    .getOutputStream()
                    .write(
                        ("GET "
                                + path
                                + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream response = new ByteArrayOutputStream();
                byte[] buffer = new byte[16 * 1024];
                int read;
                while ((read = in.read(buffer)) >= 0) {
                  response.write(buffer, 0, read);
                }
                String text = response.toString(StandardCharsets.UTF_8);
                int end = text.indexOf("\r\n");
                return end < 0 ? text : text.substring(0, end);
              } catch (SocketTimeoutException e) {
                return null;
              }
            });
    return new Answer(status, Duration.ofNanos(System.nanoTime() - start));
  }

  @Override
  public void close() {
    trickle.shutdownNow();
    for (SocketChannel channel : all()) {
      try {
        channel.close();
      } catch (IOException e) {
        // Closing our end; nothing to do.
      }
    }
  }
}
