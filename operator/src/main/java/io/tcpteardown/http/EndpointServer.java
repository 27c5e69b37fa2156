package io.tcpteardown.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A small HTTP server for probes and Prometheus scrapes, on Jetty's core server (docs/design.md,
 * "Endpoint server").
 *
 * <p>Every connection, whatever it sends, is bounded: its request header must be complete within
 * {@link #HEADER_DEADLINE} of the accept (one deadline for the whole header, which bytes arriving
 * do not push back), or the connection is closed; each connection carries one request and is closed
 * after the answer ({@code Connection: close}), so the deadline covers every header that the server
 * reads. Parsing is non-blocking: a connection that sends slowly, or nothing, holds no thread, only
 * its socket and at most {@link #HEADER_BYTES} of buffer. At most {@link #MAX_CONNECTIONS}
 * connections are open at once; past that the server stops accepting and new connections wait in
 * the kernel's accept queue until the deadline frees places.
 */
public final class EndpointServer implements AutoCloseable {
  /** The time a connection has from its accept to the end of its request header. */
  public static final Duration HEADER_DEADLINE = Duration.ofSeconds(3);

  /** Connections open at once on one listener. */
  public static final int MAX_CONNECTIONS = 512;

  /** The largest request header read (request line and fields); a larger one gets 431. */
  public static final int HEADER_BYTES = 4096;

  /** The longest a connection whose header is complete may go without reading or writing. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  /** Threads that run handlers and parse, the selector's included. */
  private static final int THREADS = 4;

  private final Server server;
  private final ServerConnector connector;

  private EndpointServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /** A server on {@code port} of every address of the host. */
  public static Builder on(int port) {
    return new Builder(null, port);
  }

  /**
   * A server on {@code port} of {@code address} only (an IP literal or a name); null or blank means
   * every address.
   */
  public static Builder on(String address, int port) {
    return new Builder(address == null || address.isBlank() ? null : address.strip(), port);
  }

  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the server on port " + port() + ": " + e, e);
    }
  }

  public static final class Builder {
    private final String address;
    private final int port;
    private final Map<String, Supplier<Reply>> routes = new LinkedHashMap<>();

    private Builder(String address, int port) {
      this.address = address;
      this.port = port;
    }

    /** 200 "ok" while the check holds, 503 with the reason otherwise. */
    public Builder probe(String path, BooleanSupplier check) {
      routes.put(
          path,
          () ->
              check.getAsBoolean()
                  ? new Reply(200, "text/plain", "ok\n")
                  : new Reply(503, "text/plain", "not ready\n"));
      return this;
    }

    public Builder metrics(Supplier<String> scrape) {
      routes.put(
          "/metrics",
          () -> new Reply(200, "text/plain; version=0.0.4; charset=utf-8", scrape.get()));
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not an address of this host);
     *     the message names the address and port
     */
    public EndpointServer start() throws IOException {
      InetSocketAddress bind =
          address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port);
      if (bind.isUnresolved()) {
        throw new IOException("cannot resolve the address " + address);
      }
      // Platform threads, not virtual ones: the Prometheus text writer writes through a
      // java.io.BufferedWriter, which on a virtual thread starts at 512 chars and grows to each
      // write's need, copying itself every time: 10 MB of garbage per scrape of the operator's
      // metrics against 130 KB here (EndpointServerTest).
      QueuedThreadPool threads = new QueuedThreadPool(THREADS, 1);
      threads.setName("endpoint-server-" + port);
      threads.setDaemon(true);
      threads.setReservedThreads(0);
      Server server = new Server(threads);
      Scheduler scheduler = new ScheduledExecutorScheduler("endpoint-deadline-" + port, true);
      server.addBean(scheduler);

      HttpConfiguration http = new HttpConfiguration();
      http.setRequestHeaderSize(HEADER_BYTES);
      http.setResponseHeaderSize(HEADER_BYTES);
      http.setSendServerVersion(false);
      http.setSendXPoweredBy(false);
      // No acceptor thread: the selector accepts, so a full accept queue holds no thread either.
      ServerConnector connector =
          new ServerConnector(
              server, threads, scheduler, null, 0, 1, new HttpConnectionFactory(http));
      if (address != null) {
        connector.setHost(bind.getAddress().getHostAddress());
      }
      connector.setPort(bind.getPort());
      connector.setReuseAddress(true);
      // Bounds an answer that the client does not read; longer than the deadline, so that a slow
      // scrape is not cut.
      connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
      HeaderDeadline deadline = new HeaderDeadline(scheduler, HEADER_DEADLINE);
      connector.addEventListener(deadline);
      server.addConnector(connector);
      server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
      server.setHandler(new Routes(Map.copyOf(routes), deadline));
      try {
        server.start();
      } catch (Exception e) {
        try {
          server.stop();
        } catch (Exception ignored) {
          // Nothing was started that stopping could fail to release.
        }
        throw new IOException(
            "cannot listen on "
                + (address == null ? "every address" : address)
                + " port "
                + port
                + ": "
                + e.getMessage(),
            e);
      }
      return new EndpointServer(server, connector);
    }
  }

  /**
   * Closes every connection whose request header is not complete {@code deadline} after its accept.
   * A connection's task is cancelled when its request reaches the handler (its header is then
   * complete) and when it closes; the map holds at most one entry per open connection.
   */
  private static final class HeaderDeadline implements Connection.Listener {
    private final Scheduler scheduler;
    private final long millis;
    private final Map<Connection, Scheduler.Task> pending = new ConcurrentHashMap<>();

    HeaderDeadline(Scheduler scheduler, Duration deadline) {
      this.scheduler = scheduler;
      this.millis = deadline.toMillis();
    }

    @Override
    public void onOpened(Connection connection) {
      pending.put(
          connection,
          scheduler.schedule(
              () -> {
                if (pending.remove(connection) != null) {
                  connection.getEndPoint().close();
                }
              },
              millis,
              TimeUnit.MILLISECONDS));
    }

    @Override
    public void onClosed(Connection connection) {
      headerComplete(connection);
    }

    void headerComplete(Connection connection) {
      Scheduler.Task task = pending.remove(connection);
      if (task != null) {
        task.cancel();
      }
    }
  }

  private static final class Routes extends Handler.Abstract {
    private final Map<String, Supplier<Reply>> routes;
    private final HeaderDeadline deadline;

    Routes(Map<String, Supplier<Reply>> routes, HeaderDeadline deadline) {
      this.routes = routes;
      this.deadline = deadline;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      deadline.headerComplete(request.getConnectionMetaData().getConnection());
      Supplier<Reply> route = routes.get(request.getHttpURI().getPath());
      Reply reply = route == null ? new Reply(404, "text/plain", "not found\n") : route.get();
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      response.setStatus(reply.status());
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
      response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }
  }

  private record Reply(int status, String contentType, String body) {}
}
