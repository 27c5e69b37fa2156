package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.count.CountMethod;
import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Per pod, whether its namespace has its own TCP hash table and its size; and the advice to set
 * childEhashEntries when sweeps cost much while pods share the node's table.
 */
@UnitTest
class PodHashTablesTest {
  private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");
  private static final SweepPacer PACER = new SweepPacer(0.02, Duration.ofSeconds(15));

  private static SweepSummarizer.PodInput pod(String uid, Optional<EhashTable> ehash, long maxTw) {
    NetworkNamespaceRef ref =
        new NetworkNamespaceRef(
            uid.hashCode() & 0xffffL,
            List.of(100),
            Optional.of(new PodCgroup(uid, Optional.empty())));
    NamespaceCounts counts =
        new NamespaceCounts(
            ref,
            new StateCounts(0, 0, 10, 0, 0, 0, 0),
            KernelCounters.ZERO,
            OptionalLong.of(maxTw),
            CountMethod.NETLINK,
            NOW,
            ehash);
    return new SweepSummarizer.PodInput(
        counts,
        Optional.of(new PodMeta("shop", "pod-" + uid, uid, false)),
        false,
        List.of(),
        Optional.empty());
  }

  private static PodTeardownEntry entry(SweptPods summary, String uid) {
    return summary.entries().stream().filter(e -> uid.equals(e.uid())).findFirst().orElseThrow();
  }

  private static SweptPods summary() {
    return SweepSummarizer.summarize(
        List.of(
            pod("old", Optional.of(new EhashTable(false, 262144)), 131072),
            pod("new", Optional.of(new EhashTable(true, 16384)), 8192),
            pod("unread", Optional.empty(), 131072)),
        10,
        NOW);
  }

  @Test
  void eachPodSaysWhetherItsTableIsItsOwnAndItsSize() {
    SweptPods summary = summary();
    assertThat(entry(summary, "old").ownEhash()).isFalse();
    assertThat(entry(summary, "old").ehashBuckets()).isEqualTo(262144L);
    assertThat(entry(summary, "new").ownEhash()).isTrue();
    assertThat(entry(summary, "new").ehashBuckets()).isEqualTo(16384L);
    assertThat(entry(summary, "new").maxTwBuckets()).isEqualTo(8192L);
    assertThat(entry(summary, "unread").ownEhash()).isNull();
    assertThat(entry(summary, "unread").ehashBuckets()).isNull();
    // Tuning results keep the table.
    assertThat(entry(summary, "new").withTuning(PodTeardownEntry.Listed.Top, null, null).ownEhash())
        .isTrue();
  }

  @Test
  void aCostlySweepWithPodsOnTheSharedTableGetsTheAdviceWithItsEvidence() {
    // The budget affords 0.02 x 15 s = 300 ms per shortest interval; advice above half of it.
    assertThat(EhashAdvice.advise(Duration.ofMillis(150), summary(), PACER)).isEmpty();
    assertThat(EhashAdvice.advise(Duration.ofMillis(240), summary(), PACER))
        .hasValueSatisfying(
            advice ->
                assertThat(advice)
                    .contains(
                        "240 ms of CPU",
                        "3 pod namespaces",
                        "80%",
                        "300 ms",
                        "1 of the pods listed share the node's TCP hash table of 262144 buckets",
                        "childEhashEntries",
                        "existing pods keep the shared table",
                        "tcp_max_tw_buckets",
                        "32768 with 65536",
                        "against 131072 with the shared table"));
  }

  @Test
  void noAdviceWhenEveryListedPodHasItsOwnTable() {
    SweptPods own =
        SweepSummarizer.summarize(
            List.of(pod("new", Optional.of(new EhashTable(true, 16384)), 8192)), 10, NOW);
    assertThat(EhashAdvice.advise(Duration.ofSeconds(5), own, PACER)).isEmpty();
  }
}
