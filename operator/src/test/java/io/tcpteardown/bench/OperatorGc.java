package io.tcpteardown.bench;

import java.io.IOException;
import java.net.URI;

/**
 * The operator's collections so far, from its own metrics (Micrometer's JVM GC metrics): pauses,
 * their total, and the bytes allocated in the young generation. Over a phase, the share of its time
 * the operator stood still, and how fast it allocated.
 */
record OperatorGc(long pauses, double pauseSeconds, double allocatedBytes) {
  static OperatorGc read(URI metrics) throws IOException, InterruptedException {
    return parse(Exposition.fetch(metrics));
  }

  static OperatorGc parse(String exposition) {
    long pauses = 0;
    double seconds = 0;
    double allocated = 0;
    for (String line : exposition.lines().toList()) {
      if (line.startsWith("jvm_gc_pause_seconds_count{")) {
        pauses += (long) Exposition.value(line);
      } else if (line.startsWith("jvm_gc_pause_seconds_sum{")) {
        seconds += Exposition.value(line);
      } else if (line.startsWith("jvm_gc_memory_allocated_bytes_total ")) {
        allocated = Exposition.value(line);
      }
    }
    return new OperatorGc(pauses, seconds, allocated);
  }

  /** What happened between {@code before} and this, over {@code seconds} of wall time. */
  String since(OperatorGc before, double seconds) {
    double paused = pauseSeconds - before.pauseSeconds;
    return String.format(
        "operator GC %d pauses, %.0f ms (%.1f%% of the time), allocating %.0f MB/s",
        pauses - before.pauses,
        paused * 1000,
        paused * 100 / seconds,
        (allocatedBytes - before.allocatedBytes) / 1e6 / seconds);
  }
}
