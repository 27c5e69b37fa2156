package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a sweep keeps of a namespace between sweeps: when it is read again and when not. */
@UnitTest
class NamespaceFactsTest {
  private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
  private static final long INODE = 4026532000L;

  private final NamespaceFacts facts = NamespaceFacts.keptFiveMinutes();
  private final AtomicInteger reads = new AtomicInteger();

  /** A reader whose every read gives a new tcp_max_tw_buckets: 1, 2, 3, ... */
  private NamespaceFacts.Facts read() {
    int n = reads.incrementAndGet();
    return new NamespaceFacts.Facts(
        Map.of(ManagedSysctl.MAX_TW_BUCKETS, (long) n),
        Optional.empty(),
        Optional.of(new EhashTable(true, 4096)));
  }

  private long buckets(int pid, Instant at) throws IOException {
    return facts.get(INODE, pid, at, this::read).sysctls().get(ManagedSysctl.MAX_TW_BUCKETS);
  }

  @Test
  void keptUntilTheRefreshHasPassedThenReadAgain() throws IOException {
    assertThat(buckets(100, T0)).isEqualTo(1);
    assertThat(buckets(100, T0.plusSeconds(15))).isEqualTo(1);
    assertThat(buckets(100, T0.plus(NamespaceFacts.REFRESH).minusMillis(1))).isEqualTo(1);
    assertThat(buckets(100, T0.plus(NamespaceFacts.REFRESH))).isEqualTo(2);
    assertThat(reads).hasValue(2);
  }

  @Test
  void readAgainWhenEnteredThroughAnotherProcessOrTheClockWentBack() throws IOException {
    assertThat(buckets(100, T0)).isEqualTo(1);
    // An inode the kernel gave to a new namespace is entered through another process.
    assertThat(buckets(200, T0.plusSeconds(1))).isEqualTo(2);
    assertThat(buckets(200, T0.minusSeconds(1))).isEqualTo(3);
  }

  @Test
  void aWriteInTheNamespaceMakesTheNextSweepReadIt() throws IOException {
    assertThat(buckets(100, T0)).isEqualTo(1);
    facts.forget(INODE);
    assertThat(buckets(100, T0.plusSeconds(1))).isEqualTo(2);
    assertThat(buckets(100, T0.plusSeconds(2))).isEqualTo(2);
  }

  @Test
  void aWriteWhileTheFactsWereBeingReadIsNotHiddenByThem() throws IOException {
    NamespaceFacts.Facts raced =
        facts.get(
            INODE,
            100,
            T0,
            () -> {
              // The tuner writes (and forgets) after these values were read, before they are kept.
              NamespaceFacts.Facts before = read();
              facts.forget(INODE);
              return before;
            });
    assertThat(raced.sysctls().get(ManagedSysctl.MAX_TW_BUCKETS)).isEqualTo(1);
    assertThat(buckets(100, T0.plusSeconds(1))).isEqualTo(2);
    assertThat(buckets(100, T0.plusSeconds(2))).isEqualTo(2);
  }

  @Test
  void holdsOnlyTheNamespacesOfTheLastSweep() throws IOException {
    for (long inode = 1; inode <= 50; inode++) {
      facts.get(inode, 1, T0, this::read);
    }
    facts.forget(999);
    assertThat(facts.size()).isEqualTo(51);
    facts.retainOnly(Set.of(1L, 2L));
    assertThat(facts.size()).isEqualTo(2);
  }

  @Test
  void aFailedReadKeepsNothing() throws IOException {
    assertThatThrownBy(
            () ->
                facts.get(
                    INODE,
                    100,
                    T0,
                    () -> {
                      throw new IOException("gone");
                    }))
        .isInstanceOf(IOException.class);
    assertThat(facts.size()).isZero();
    assertThat(buckets(100, T0)).isEqualTo(1);
  }

  @Test
  void aZeroRefreshReadsEverySweepAndANegativeOneIsRefused() throws IOException {
    NamespaceFacts always = new NamespaceFacts(Duration.ZERO);
    always.get(INODE, 1, T0, this::read);
    always.get(INODE, 1, T0, this::read);
    assertThat(reads).hasValue(2);
    assertThatThrownBy(() -> new NamespaceFacts(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refresh");
  }
}
