package io.tcpteardown.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The API server's count of requests by verb and resource ({@code apiserver_request_total}), to
 * tell what else a phase asked of it besides the writes it times.
 */
record ApiRequests(Map<String, Long> counts) {
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  static ApiRequests of(KubernetesClient client) {
    return parse(client.raw("/metrics"));
  }

  static ApiRequests parse(String metrics) {
    Map<String, Long> counts = new TreeMap<>();
    metrics
        .lines()
        .filter(l -> l.startsWith("apiserver_request_total{"))
        .forEach(
            l -> {
              Map<String, String> labels = new TreeMap<>();
              Matcher m = LABEL.matcher(l.substring(0, l.lastIndexOf('}')));
              while (m.find()) {
                labels.put(m.group(1), m.group(2));
              }
              String subresource = labels.getOrDefault("subresource", "");
              String key =
                  labels.getOrDefault("verb", "?")
                      + " "
                      + labels.getOrDefault("resource", "")
                      + (subresource.isEmpty() ? "" : "/" + subresource);
              counts.merge(
                  key, (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)), Long::sum);
            });
    return new ApiRequests(counts);
  }

  /** The count of one kind, "VERB resource[/subresource]". */
  long count(String kind) {
    return counts.getOrDefault(kind, 0L);
  }

  /** The requests since {@code before}, most first, at most {@code limit} kinds. */
  String since(ApiRequests before, int limit) {
    return counts.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.counts.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(limit)
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
