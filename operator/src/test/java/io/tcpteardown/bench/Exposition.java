package io.tcpteardown.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Prometheus text expositions as the benchmarks read them: the operator's, the API server's. */
final class Exposition {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Exposition() {}

  /** The exposition served at {@code uri} (the operator's metrics port, plain HTTP). */
  static String fetch(URI uri) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The value of one sample line, {@code name{labels} value}. */
  static double value(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }
}
