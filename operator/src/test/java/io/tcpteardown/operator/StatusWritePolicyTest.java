package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.ProfileNodeEntry;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.tier.UnitTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conditions are written at once, live counts at most once per status interval. */
@UnitTest
class StatusWritePolicyTest {
  private static final Duration INTERVAL = Duration.ofSeconds(15);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final StatusWritePolicy policy = new StatusWritePolicy(INTERVAL);

  @Test
  void aStatusEqualToTheStoredOneIsNeverWritten() {
    TcpTeardownProfileStatus status = status(true, "All 2 nodes.", 10);
    assertThat(policy.decide(status, status, null, T0))
        .isEqualTo(new StatusWritePolicy.Decision(false, null));
  }

  @Test
  void theFirstStatusAndTheFirstWriteOfThisOperatorAreWrittenAtOnce() {
    TcpTeardownProfileStatus next = status(true, "All 2 nodes.", 10);
    assertThat(policy.decide(null, next, T0, T0).write()).isTrue();
    // After a restart this operator has not written yet: it writes what it computed.
    assertThat(policy.decide(status(true, "All 2 nodes.", 3), next, null, T0).write()).isTrue();
  }

  @Test
  void countsAloneWaitForTheEndOfTheIntervalAndAreThenWritten() {
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    Instant lastWrite = clock.instant();
    TcpTeardownProfileStatus written = status(true, "All 2 nodes.", 10);
    TcpTeardownProfileStatus next = status(true, "All 2 nodes.", 11);

    Clock later = Clock.offset(clock, Duration.ofSeconds(4));
    assertThat(policy.decide(written, next, lastWrite, later.instant()))
        .isEqualTo(new StatusWritePolicy.Decision(false, Duration.ofSeconds(11)));

    Clock almost = Clock.offset(clock, INTERVAL.minusMillis(1));
    assertThat(policy.decide(written, next, lastWrite, almost.instant()))
        .isEqualTo(new StatusWritePolicy.Decision(false, Duration.ofMillis(1)));

    Clock due = Clock.offset(clock, INTERVAL);
    assertThat(policy.decide(written, next, lastWrite, due.instant()).write()).isTrue();
    assertThat(policy.decide(written, next, lastWrite, due.instant().plusSeconds(60)).write())
        .isTrue();
  }

  @Test
  void messagesThatCarryCountsWaitLikeTheCounts() {
    TcpTeardownProfileStatus written = status(false, "1 of 2 nodes.", 10);
    TcpTeardownProfileStatus next = status(false, "2 of 3 nodes.", 10);
    assertThat(policy.decide(written, next, T0, T0.plusSeconds(1)).write()).isFalse();
  }

  @Test
  void aConditionWhoseStatusOrReasonChangesIsWrittenAtOnce() {
    TcpTeardownProfileStatus written = status(false, "1 of 2 nodes.", 10);
    assertThat(policy.decide(written, status(true, "All 2 nodes.", 10), T0, T0.plusMillis(1)))
        .isEqualTo(new StatusWritePolicy.Decision(true, null));

    TcpTeardownProfileStatus otherReason =
        withConditions(
            written,
            List.of(
                Conditions.of(
                    ProfileConditions.APPLIED,
                    false,
                    ProfileConditions.REASON_PODS_NOT_APPLIED,
                    "1 of 2 nodes.",
                    1L)));
    assertThat(policy.decide(written, otherReason, T0, T0.plusMillis(1)).write()).isTrue();
  }

  @Test
  void aNewGenerationOrSelectionIsWrittenAtOnce() {
    TcpTeardownProfileStatus written = status(true, "All 2 nodes.", 10);
    TcpTeardownProfileStatus newGeneration =
        new TcpTeardownProfileStatus(
            2L,
            written.conditions(),
            written.selectedNodes(),
            written.appliedNodes(),
            written.totals(),
            written.nodes(),
            null);
    assertThat(policy.decide(written, newGeneration, T0, T0.plusMillis(1)).write()).isTrue();
    TcpTeardownProfileStatus moreNodes =
        new TcpTeardownProfileStatus(
            1L,
            written.conditions(),
            3,
            written.appliedNodes(),
            written.totals(),
            written.nodes(),
            null);
    assertThat(policy.decide(written, moreNodes, T0, T0.plusMillis(1)).write()).isTrue();
  }

  @Test
  void aZeroIntervalWritesEveryChange() {
    StatusWritePolicy always = new StatusWritePolicy(Duration.ZERO);
    assertThat(
            always
                .decide(status(true, "All 2 nodes.", 10), status(true, "All 2 nodes.", 11), T0, T0)
                .write())
        .isTrue();
  }

  private static TcpTeardownProfileStatus status(boolean applied, String message, long timeWait) {
    Condition condition =
        Conditions.of(
            ProfileConditions.APPLIED,
            applied,
            applied ? ProfileConditions.REASON_ALL_NODES_APPLIED : ProfileConditions.REASON_PENDING,
            message,
            1L);
    StateCounts counts = new StateCounts(0, 0, timeWait, 0, 0, 0, 0);
    return new TcpTeardownProfileStatus(
        1L,
        List.of(condition),
        2,
        applied ? 2 : 1,
        counts,
        List.of(new ProfileNodeEntry("n1", applied, 0, 0, timeWait, 0, 0, 0, 0, null)),
        null);
  }

  private static TcpTeardownProfileStatus withConditions(
      TcpTeardownProfileStatus status, List<Condition> conditions) {
    return new TcpTeardownProfileStatus(
        status.observedGeneration(),
        conditions,
        status.selectedNodes(),
        status.appliedNodes(),
        status.totals(),
        status.nodes(),
        status.nodesTruncated());
  }
}
