package io.tcpteardown.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** A small HTTP server for probes and Prometheus scrapes, on the JDK's own server. */
public final class EndpointServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService handlers;

  private EndpointServer(HttpServer server, ExecutorService handlers) {
    this.server = server;
    this.handlers = handlers;
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
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }

  public static final class Builder {
    private final String address;
    private final int port;
    private final java.util.Map<String, Supplier<Response>> routes =
        new java.util.LinkedHashMap<>();

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
                  ? new Response(200, "text/plain", "ok\n")
                  : new Response(503, "text/plain", "not ready\n"));
      return this;
    }

    public Builder metrics(Supplier<String> scrape) {
      routes.put(
          "/metrics",
          () -> new Response(200, "text/plain; version=0.0.4; charset=utf-8", scrape.get()));
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
      HttpServer server;
      try {
        server = HttpServer.create(bind, 0);
      } catch (IOException e) {
        throw new IOException(
            "cannot listen on "
                + (address == null ? "every address" : address)
                + " port "
                + port
                + ": "
                + e.getMessage(),
            e);
      }
      routes.forEach(
          (path, handler) ->
              server.createContext(
                  path,
                  exchange -> {
                    try (exchange) {
                      if (!exchange.getRequestURI().getPath().equals(path)) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                      }
                      Response response = handler.get();
                      byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
                      exchange.getResponseHeaders().set("Content-Type", response.contentType());
                      exchange.sendResponseHeaders(response.status(), body.length);
                      try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                      }
                    }
                  }));
      // Platform threads, not virtual ones: the Prometheus text writer writes through a
      // java.io.BufferedWriter, which on a virtual thread starts at 512 chars and grows to each
      // write's need, copying itself every time: 10 MB of garbage per scrape of the operator's
      // metrics against 130 KB here (EndpointServerTest).
      ExecutorService handlers =
          Executors.newFixedThreadPool(
              2, Thread.ofPlatform().daemon().name("endpoint-server-", 0).factory());
      server.setExecutor(handlers);
      server.start();
      return new EndpointServer(server, handlers);
    }
  }

  private record Response(int status, String contentType, String body) {}
}
