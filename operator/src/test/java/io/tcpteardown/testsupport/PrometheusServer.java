package io.tcpteardown.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's {@code prometheus} binary (2.42) scraping static targets, for tests: a free port on
 * 127.0.0.1, a temporary storage directory, a short scrape interval, {@code honor_labels: true} (as
 * the chart's ServiceMonitors set it). It runs in this machine's network namespace; a target inside
 * another network namespace (a test namespace standing for a node, or a test cluster's own
 * namespace whose pod IPs only it routes) is reached through a relay: socat inside that namespace
 * listens on a Unix socket (which crosses namespaces) and connects to the target's address; socat
 * outside listens on a free port of 127.0.0.1 and forwards to the socket. A relayed target keeps
 * its own address as its {@code instance} label.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * A scrape target: {@code address} is host:port as seen from {@code networkNamespace} (a name
   * under /var/run/netns), or from this machine's namespace when empty.
   */
  public record Target(String job, String address, Optional<String> networkNamespace) {
    public static Target of(String job, String address) {
      return new Target(job, address, Optional.empty());
    }

    public static Target inNamespace(String job, String address, String networkNamespace) {
      return new Target(job, address, Optional.of(networkNamespace));
    }
  }

  /** One series of a query's result: its labels (with {@code __name__}) and its value. */
  public record Series(Map<String, String> labels, double value) {
    public String name() {
      return labels.getOrDefault("__name__", "");
    }
  }

  private final Path workDir;
  private final int port;
  private final Process prometheus;
  private final List<Process> relays;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(Path workDir, int port, Process prometheus, List<Process> relays) {
    this.workDir = workDir;
    this.port = port;
    this.prometheus = prometheus;
    this.relays = relays;
  }

  /** Starts Prometheus scraping {@code targets} every second; returns once it is ready. */
  public static PrometheusServer start(List<Target> targets) throws IOException {
    return start(targets, Duration.ofSeconds(1));
  }

  public static PrometheusServer start(List<Target> targets, Duration scrapeInterval)
      throws IOException {
    return start(targets, scrapeInterval, List.of());
  }

  /** As {@link #start(List, Duration)}, also evaluating the rules of {@code ruleFiles}. */
  public static PrometheusServer start(
      List<Target> targets, Duration scrapeInterval, List<Path> ruleFiles) throws IOException {
    Path binary = PrometheusBinaries.require("prometheus");
    Path workDir = Files.createTempDirectory("prometheus-");
    List<Process> relays = new ArrayList<>();
    try {
      Map<String, ArrayNode> jobs = new LinkedHashMap<>();
      for (int i = 0; i < targets.size(); i++) {
        Target target = targets.get(i);
        ObjectNode staticConfig = YAML.createObjectNode();
        if (target.networkNamespace().isPresent()) {
          int local = relay(workDir, i, target, relays);
          staticConfig.putArray("targets").add("127.0.0.1:" + local);
          staticConfig.putObject("labels").put("instance", target.address());
        } else {
          staticConfig.putArray("targets").add(target.address());
        }
        jobs.computeIfAbsent(target.job(), j -> YAML.createArrayNode()).add(staticConfig);
      }
      String interval = scrapeInterval.toMillis() + "ms";
      ObjectNode config = YAML.createObjectNode();
      config
          .putObject("global")
          .put("scrape_interval", interval)
          .put("scrape_timeout", interval)
          .put("evaluation_interval", interval);
      ArrayNode rules = config.putArray("rule_files");
      ruleFiles.forEach(f -> rules.add(f.toAbsolutePath().toString()));
      ArrayNode scrapeConfigs = config.putArray("scrape_configs");
      jobs.forEach(
          (job, staticConfigs) -> {
            ObjectNode scrape = scrapeConfigs.addObject();
            scrape.put("job_name", job).put("honor_labels", true);
            scrape.set("static_configs", staticConfigs);
          });
      Path configFile = workDir.resolve("prometheus.yml");
      YAML.writeValue(configFile.toFile(), config);
      int port = freePort();
      Process process =
          new ProcessBuilder(
                  binary.toString(),
                  "--config.file=" + configFile,
                  "--storage.tsdb.path=" + workDir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--web.console.templates=" + workDir.resolve("consoles"),
                  "--web.console.libraries=" + workDir.resolve("console_libraries"))
              .redirectErrorStream(true)
              .redirectOutput(workDir.resolve("prometheus.log").toFile())
              .start();
      PrometheusServer server = new PrometheusServer(workDir, port, process, relays);
      server.awaitReady();
      return server;
    } catch (IOException | RuntimeException e) {
      relays.forEach(Process::destroyForcibly);
      throw e;
    }
  }

  /** The relay of a target in another network namespace (see the class comment); its local port. */
  private static int relay(Path workDir, int index, Target target, List<Process> relays)
      throws IOException {
    Path socket = workDir.resolve("relay-" + index + ".sock");
    relays.add(
        new ProcessBuilder(
                "nsenter",
                "--net=/var/run/netns/" + target.networkNamespace().orElseThrow(),
                "socat",
                "UNIX-LISTEN:" + socket + ",fork",
                "TCP:" + target.address())
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("relay-" + index + "-in.log").toFile())
            .start());
    int port = freePort();
    relays.add(
        new ProcessBuilder(
                "socat",
                "TCP-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr",
                "UNIX-CONNECT:" + socket)
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("relay-" + index + "-out.log").toFile())
            .start());
    return port;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!prometheus.isAlive()) {
        throw new IOException("prometheus exited " + prometheus.exitValue() + ":\n" + logText());
      }
      try {
        if (get("/-/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("prometheus not ready after 60 s:\n" + logText());
      }
      sleep(100);
    }
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /**
   * The instant query {@code expr} at the latest time (GET /api/v1/query): one entry per series of
   * a vector, one unlabelled entry for a scalar. A query Prometheus refuses throws, with its error.
   */
  public List<Series> query(String expr) throws IOException {
    HttpResponse<String> response =
        get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    JsonNode body = JSON.readTree(response.body());
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new IOException(
          "query "
              + expr
              + ": HTTP "
              + response.statusCode()
              + " "
              + body.path("errorType").asText()
              + ": "
              + body.path("error").asText());
    }
    JsonNode data = body.get("data");
    List<Series> series = new ArrayList<>();
    switch (data.get("resultType").asText()) {
      case "vector" -> {
        for (JsonNode sample : data.get("result")) {
          Map<String, String> labels = new LinkedHashMap<>();
          sample
              .get("metric")
              .fields()
              .forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
          series.add(new Series(labels, Double.parseDouble(sample.get("value").get(1).asText())));
        }
      }
      case "scalar" ->
          series.add(new Series(Map.of(), Double.parseDouble(data.get("result").get(1).asText())));
      default ->
          throw new IOException(
              "query " + expr + ": result type " + data.get("resultType") + " not handled");
    }
    return series;
  }

  /** An alert as GET /api/v1/alerts lists it: "pending" or "firing", with its labels. */
  public record Alert(String name, String state, Map<String, String> labels) {}

  /** The alerts the rules currently hold, pending or firing. */
  public List<Alert> alerts() throws IOException {
    JsonNode body = JSON.readTree(get("/api/v1/alerts").body());
    List<Alert> alerts = new ArrayList<>();
    for (JsonNode alert : body.path("data").path("alerts")) {
      Map<String, String> labels = new LinkedHashMap<>();
      alert
          .path("labels")
          .fields()
          .forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
      alerts.add(new Alert(labels.get("alertname"), alert.path("state").asText(), labels));
    }
    return alerts;
  }

  /** By rule name, its health as GET /api/v1/rules reports it ("ok", "err", "unknown"). */
  public Map<String, String> ruleHealth() throws IOException {
    JsonNode body = JSON.readTree(get("/api/v1/rules").body());
    Map<String, String> health = new LinkedHashMap<>();
    for (JsonNode group : body.path("data").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String error = rule.path("lastError").asText();
        health.put(
            rule.path("name").asText(),
            rule.path("health").asText() + (error.isEmpty() ? "" : " (" + error + ")"));
      }
    }
    return health;
  }

  /** Scrape state by instance label (GET /api/v1/targets): "up", "down" or "unknown". */
  public Map<String, String> targetHealth() throws IOException {
    JsonNode body = JSON.readTree(get("/api/v1/targets").body());
    Map<String, String> health = new LinkedHashMap<>();
    for (JsonNode target : body.path("data").path("activeTargets")) {
      String instance = target.path("labels").path("instance").asText();
      String error = target.path("lastError").asText();
      health.put(
          target.path("labels").path("job").asText() + "/" + instance,
          target.path("health").asText() + (error.isEmpty() ? "" : " (" + error + ")"));
    }
    return health;
  }

  public String logText() {
    try {
      return Files.readString(workDir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException {
    try {
      return http.send(
          HttpRequest.newBuilder(url().resolve(pathAndQuery))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() throws IOException {
    prometheus.destroy();
    try {
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor();
      }
      for (Process relay : relays) {
        relay.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
