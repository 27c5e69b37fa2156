package io.tcpteardown.bench;

import io.tcpteardown.operator.OperatorMetrics;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The operator's own count of TcpTeardownNode spec writes the API server accepted ({@code
 * tcp_teardown_node_spec_writes_total} on its metrics port), read every 100 ms while a change
 * spreads: when its writes returned, as the floor's are timed. Reading the API server's /metrics
 * instead (1.4 MB, about 30 ms of its CPU per scrape) took several percent of a core from the API
 * server, and only while the change spread.
 */
final class SpecWrites implements AutoCloseable {
  static final String METRIC = OperatorMetrics.SPEC_WRITES + "_total";

  record Sample(Duration at, long writes) {}

  private final URI metrics;
  private final Instant start;
  private final long before;
  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor();

  private SpecWrites(URI metrics, Instant start, long before) {
    this.metrics = metrics;
    this.start = start;
    this.before = before;
    every.scheduleWithFixedDelay(this::sample, 0, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * @param before the count before {@code start}, read beforehand with {@link #read(URI)}
   */
  static SpecWrites from(URI metrics, Instant start, long before) {
    return new SpecWrites(metrics, start, before);
  }

  /**
   * Reads the operator's metrics every 100 ms for {@code duration}, so that the code serving them
   * is compiled before a change is timed (the first reads cost the operator a burst of
   * compilation).
   */
  static void warmUp(URI metrics, Duration duration) throws IOException, InterruptedException {
    Instant end = Instant.now().plus(duration);
    while (Instant.now().isBefore(end)) {
      read(metrics);
      Thread.sleep(100);
    }
  }

  /** The operator's count now. */
  static long read(URI metrics) throws IOException, InterruptedException {
    return parse(Exposition.fetch(metrics));
  }

  static long parse(String exposition) {
    return exposition
        .lines()
        .filter(l -> l.startsWith(METRIC + " "))
        .mapToLong(l -> (long) Exposition.value(l))
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("no " + METRIC + " in the operator's metrics"));
  }

  private void sample() {
    try {
      long writes = read(metrics);
      // The time the answer came: the count was read before it, so this is never early.
      samples.add(new Sample(Duration.between(start, Instant.now()), writes - before));
    } catch (IOException | RuntimeException e) {
      // a missed sample only makes the figure coarser
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The first sample at which the operator had had at least {@code n} writes accepted. */
  Optional<Duration> reached(long n) {
    return samples.stream().filter(s -> s.writes() >= n).map(Sample::at).findFirst();
  }

  long writes() {
    return samples.isEmpty() ? 0 : samples.getLast().writes();
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
