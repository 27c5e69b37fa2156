package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.agent.count.SocketStates;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

@UnitTest
class PodReportTest {
  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  private static PodReport.PodInput pod(
      String uid, long timeWait, long closeWait, long maxTw, boolean leaking) {
    return pod(uid, timeWait, closeWait, maxTw, leaking, KernelCounters.ZERO, Optional.empty());
  }

  private static PodReport.PodInput pod(
      String uid,
      long timeWait,
      long closeWait,
      long maxTw,
      boolean leaking,
      KernelCounters counters,
      Optional<KernelCounters> previous) {
    NetworkNamespaceRef ref =
        new NetworkNamespaceRef(
            uid.hashCode() & 0xffffL,
            List.of(100),
            Optional.of(new PodCgroup(uid, Optional.empty())));
    NamespaceCounts counts =
        new NamespaceCounts(
            ref,
            new SocketStates(0, 1, timeWait, closeWait, 0, 0, 1),
            counters,
            OptionalLong.of(maxTw),
            EhashTable.SHARED_UNKNOWN,
            "netlink",
            NOW.minusSeconds(12));
    List<CloseWaitHolders.Holder> holders =
        leaking
            ? List.of(
                new CloseWaitHolders.Holder(4242, "leaky", Optional.of("c".repeat(64)), closeWait))
            : List.of();
    return new PodReport.PodInput(
        counts,
        Optional.of(new PodMeta("shop", "pod-" + uid, uid, false)),
        leaking,
        holders,
        previous);
  }

  @Test
  void pressureIsJudgedAgainstTheNamespacesOwnLimitNotASum() {
    // 950 of its own 1000 is pressure; 50,000 of 131072 is not, whatever the node's limit is.
    PodsSummary summary =
        PodReport.summarize(
            List.of(pod("a", 950, 0, 1000, false), pod("b", 50_000, 0, 131_072, false)), 20, NOW);
    assertThat(summary.pressure()).hasSize(1);
    assertThat(summary.pressure().getFirst())
        .contains("shop/pod-a")
        .contains("950")
        .contains("own tcp_max_tw_buckets 1000");
    assertThat(summary.states().timeWait()).isEqualTo(50_950);
  }

  @Test
  void anOverflowCounterThatRoseIsPressureOnThatPod() {
    PodsSummary summary =
        PodReport.summarize(
            List.of(
                pod(
                    "a",
                    10,
                    0,
                    1000,
                    false,
                    new KernelCounters(7, 0),
                    Optional.of(new KernelCounters(5, 0))),
                pod(
                    "b",
                    10,
                    0,
                    1000,
                    false,
                    new KernelCounters(5, 0),
                    Optional.of(new KernelCounters(5, 0)))),
            20,
            NOW);
    assertThat(summary.pressure()).containsExactly("pod shop/pod-a: TCPTimeWaitOverflow rose by 2");
  }

  @Test
  void aLeakNamesThePodTheProcessAndWhatItMeans() {
    PodsSummary summary = PodReport.summarize(List.of(pod("a", 0, 150, 1000, true)), 20, NOW);
    assertThat(summary.leaks()).hasSize(1);
    assertThat(summary.leaks().getFirst())
        .contains("shop/pod-a")
        .contains("150 CLOSE_WAIT")
        .contains("pid 4242 (leaky, container cccccccccccc) 150")
        .contains("the peer closed these connections and the application has not called close()");
    PodTeardownEntry entry = summary.entries().getFirst();
    assertThat(entry.listed()).isEqualTo("Leak");
    assertThat(entry.closeWaitHolders())
        .singleElement()
        .satisfies(h -> assertThat(h.pid()).isEqualTo(4242));
    assertThat(entry.ageSeconds()).isEqualTo(12);
    assertThat(entry.namespace()).isEqualTo("shop");
    assertThat(entry.uid()).isEqualTo("a");
  }

  @Test
  void problemPodsAreAlwaysListedThenTheMostTeardownSocketsUpToTheLimit() {
    List<PodReport.PodInput> pods = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      pods.add(pod("p" + i, i * 10L, 0, 1_000_000, false));
    }
    pods.add(pod("leaky", 0, 100, 1_000_000, true));
    pods.add(pod("pressed", 95, 0, 100, false));

    PodsSummary summary = PodReport.summarize(pods, 5, NOW);

    assertThat(summary.entries())
        .extracting(PodTeardownEntry::uid)
        .containsExactly("leaky", "pressed", "p29", "p28", "p27");
    assertThat(summary.podNamespaces()).isEqualTo(32);
    assertThat(summary.truncated()).isTrue();

    PodsSummary tight = PodReport.summarize(pods, 1, NOW);
    assertThat(tight.entries())
        .extracting(PodTeardownEntry::uid)
        .containsExactly("leaky", "pressed");
  }

  @Test
  void aNamespaceWithoutAPodObjectIsNamedByItsUidOrItsProcess() {
    NetworkNamespaceRef bare = new NetworkNamespaceRef(4026532177L, List.of(77), Optional.empty());
    NamespaceCounts counts =
        new NamespaceCounts(
            bare,
            new SocketStates(0, 0, 1, 0, 0, 0, 0),
            KernelCounters.ZERO,
            OptionalLong.empty(),
            EhashTable.SHARED_UNKNOWN,
            "proc",
            NOW);
    PodReport.PodInput input =
        new PodReport.PodInput(counts, Optional.empty(), false, List.of(), Optional.empty());
    assertThat(PodReport.name(input)).isEqualTo("network namespace 4026532177 (pid 77)");
    PodsSummary summary = PodReport.summarize(List.of(input), 20, NOW);
    assertThat(summary.truncated()).isFalse();
    assertThat(summary.entries().getFirst().maxTwBuckets()).isNull();
  }

  /** Holders past those the scan kept (1,024) are still counted in the entry and the message. */
  @Test
  void holdersBeyondThoseKeptAreCountedExactly() {
    PodReport.PodInput kept = pod("a", 0, 500, 131_072, true);
    List<CloseWaitHolders.Holder> thousand =
        java.util.stream.IntStream.range(0, 1024)
            .mapToObj(i -> new CloseWaitHolders.Holder(100 + i, "leaky", Optional.empty(), 1))
            .toList();
    PodReport.PodInput many =
        new PodReport.PodInput(
            kept.counts(), kept.meta(), true, thousand, 6000, kept.previousCounters());
    PodsSummary summary = PodReport.summarize(List.of(many), 20, NOW);
    assertThat(summary.entries().getFirst().closeWaitHolders()).hasSize(5);
    assertThat(summary.entries().getFirst().closeWaitHolderCount()).isEqualTo(6000L);
    assertThat(summary.leaks().getFirst()).contains("and 5995 more processes");
  }
}
