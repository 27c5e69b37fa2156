package io.tcpteardown.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The API server's count of requests by verb and resource ({@code apiserver_request_total}) and the
 * time it took to answer them ({@code apiserver_request_duration_seconds_sum}), to tell what else a
 * phase asked of it besides the writes it times, and how long each kind waited: a client that keeps
 * fewer requests in flight sees shorter answers and leaves the server to the others.
 */
record ApiRequests(
    Map<String, Long> counts, Map<String, Double> seconds, Map<String, Long> refusals) {
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final String COUNT = "apiserver_request_total{";
  private static final String DURATION = "apiserver_request_duration_seconds_sum{";

  static ApiRequests of(KubernetesClient client) {
    return parse(client.raw("/metrics"));
  }

  static ApiRequests parse(String metrics) {
    Map<String, Long> counts = new TreeMap<>();
    Map<String, Double> seconds = new TreeMap<>();
    Map<String, Long> refusals = new TreeMap<>();
    metrics
        .lines()
        .forEach(
            l -> {
              if (l.startsWith(COUNT)) {
                Map<String, String> labels = labels(l);
                long value = (long) Exposition.value(l);
                counts.merge(kind(labels), value, Long::sum);
                String code = labels.getOrDefault("code", "200");
                if (code.startsWith("4") || code.startsWith("5")) {
                  refusals.merge(kind(labels) + " " + code, value, Long::sum);
                }
              } else if (l.startsWith(DURATION)) {
                seconds.merge(kind(labels(l)), Exposition.value(l), Double::sum);
              }
            });
    return new ApiRequests(counts, seconds, refusals);
  }

  private static Map<String, String> labels(String line) {
    Map<String, String> labels = new TreeMap<>();
    Matcher m = LABEL.matcher(line.substring(0, line.lastIndexOf('}')));
    while (m.find()) {
      labels.put(m.group(1), m.group(2));
    }
    return labels;
  }

  private static String kind(Map<String, String> labels) {
    String subresource = labels.getOrDefault("subresource", "");
    return labels.getOrDefault("verb", "?")
        + " "
        + labels.getOrDefault("resource", "")
        + (subresource.isEmpty() ? "" : "/" + subresource);
  }

  /** The count of one kind, "VERB resource[/subresource]". */
  long count(String kind) {
    return counts.getOrDefault(kind, 0L);
  }

  /**
   * The requests since {@code before}, most first, at most {@code limit} kinds, each with the mean
   * time the API server took to answer it (watches excepted: they last as long as they are open),
   * then every kind the API server refused meanwhile, with its code (a 409 on a status write is a
   * write made on a stale copy).
   */
  String since(ApiRequests before, int limit) {
    String refused =
        increases(refusals, before.refusals)
            .map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining(", "));
    String requests =
        increases(counts, before.counts)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .limit(limit)
            .map(
                e -> e.getKey() + " " + e.getValue() + meanMillis(before, e.getKey(), e.getValue()))
            .collect(Collectors.joining(", "));
    return requests + (refused.isEmpty() ? "" : "; refused " + refused);
  }

  /** The counts that rose since {@code before}, by how much. */
  private static Stream<Map.Entry<String, Long>> increases(
      Map<String, Long> now, Map<String, Long> before) {
    return now.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0);
  }

  private String meanMillis(ApiRequests before, String kind, long count) {
    if (kind.startsWith("WATCH") || !seconds.containsKey(kind)) {
      return "";
    }
    double spent = seconds.get(kind) - before.seconds.getOrDefault(kind, 0.0);
    return String.format(" (%.0f ms)", spent * 1000 / count);
  }
}
