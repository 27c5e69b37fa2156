package io.tcpteardown.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@UnitTest
class ConditionsTest {
  private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2026-01-01T01:00:00Z");

  @Test
  void transitionTimeIsKeptWhileStatusStaysAndMovesWhenItChanges() {
    var first =
        Conditions.carryTransitionTimes(
            List.of(), List.of(Conditions.of("Applied", false, "Pending", "0 of 1", 1L)), T1);
    var same =
        Conditions.carryTransitionTimes(
            first, List.of(Conditions.of("Applied", false, "Pending", "still 0 of 1", 2L)), T2);
    assertThat(same.getFirst().getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(same.getFirst().getObservedGeneration()).isEqualTo(2L);
    var changed =
        Conditions.carryTransitionTimes(
            same, List.of(Conditions.of("Applied", true, "AllNodesApplied", "1 of 1", 2L)), T2);
    assertThat(changed.getFirst().getLastTransitionTime()).isEqualTo("2026-01-01T01:00:00Z");
    assertThat(Conditions.turned(same, changed, "Applied", Conditions.TRUE)).isTrue();
    assertThat(Conditions.turned(changed, changed, "Applied", Conditions.TRUE)).isFalse();
  }
}
