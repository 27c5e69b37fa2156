package io.tcpteardown.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The API server's own count of server-side applies to TcpTeardownNodes, read from its /metrics
 * every 500 ms: when the operator's writes were stored, apart from when a watch delivered them.
 */
final class StoredApplies implements AutoCloseable {
  private static final String COUNTER = "apiserver_request_total{";

  record Sample(Duration at, long applies) {}

  private final KubernetesClient client;
  private final Instant start;
  private final long before;
  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor();

  private StoredApplies(KubernetesClient client, Instant start, long before) {
    this.client = client;
    this.start = start;
    this.before = before;
    every.scheduleWithFixedDelay(this::sample, 0, 500, TimeUnit.MILLISECONDS);
  }

  /**
   * @param before the count of applies before {@code start}, read beforehand (a scrape under load
   *     takes long enough to delay what is timed)
   */
  static StoredApplies from(KubernetesClient client, Instant start, long before) {
    return new StoredApplies(client, start, before);
  }

  private void sample() {
    try {
      long now = applies(client.raw("/metrics"));
      samples.add(new Sample(Duration.between(start, Instant.now()), now - before));
    } catch (RuntimeException e) {
      // a missed sample only makes the figure coarser
    }
  }

  /** The first sample at which the API server had stored at least {@code n} applies. */
  Optional<Duration> reached(long n) {
    return samples.stream().filter(s -> s.applies() >= n).map(Sample::at).findFirst();
  }

  long applies() {
    return samples.isEmpty() ? 0 : samples.getLast().applies();
  }

  static long applies(String metrics) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(COUNTER))
        .filter(l -> l.contains("resource=\"tcpteardownnodes\""))
        .filter(l -> l.contains("verb=\"APPLY\""))
        .filter(l -> l.contains("subresource=\"\""))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /**
   * Stops sampling after one last sample (the watch may have seen the last write first), once a
   * sample in flight has landed, so that the samples stay in time order for {@link #reached}.
   */
  @Override
  public void close() throws InterruptedException {
    every.shutdown();
    every.awaitTermination(30, TimeUnit.SECONDS);
    sample();
  }
}
