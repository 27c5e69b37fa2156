package io.tcpteardown.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Conditions read back from the API server are input: anything an older or looser server admits (a
 * condition without status, without type, without time, a null item) must not break the next
 * status.
 */
@UnitTest
class ConditionsHostileInputTest {
  private static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");
  private static final List<Condition> NEXT =
      List.of(
          Conditions.of("Applied", true, "Applied", "ok", 1L),
          Conditions.of("Error", false, "NoError", "no error", 1L));

  private static List<Condition> carried(List<Condition> previous) {
    return Conditions.carryTransitionTimes(previous, NEXT, NOW);
  }

  @Test
  void aPreviousConditionWithoutStatusCountsAsAChange() {
    List<Condition> previous =
        List.of(
            new ConditionBuilder()
                .withType("Applied")
                .withLastTransitionTime("2020-01-01T00:00:00Z")
                .build());
    assertThat(carried(previous))
        .extracting(Condition::getLastTransitionTime)
        .containsOnly("2026-01-01T01:00:00Z");
  }

  @Test
  void previousConditionsWithoutTypeOrAsNullItemsAreIgnored() {
    List<Condition> previous = new ArrayList<>(Arrays.asList(null, new Condition()));
    previous.add(new ConditionBuilder().withStatus("True").build());
    assertThat(carried(previous)).hasSize(2);
    assertThat(Conditions.find(previous, "Applied")).isEmpty();
    assertThat(Conditions.isTrue(previous, "Applied")).isFalse();
    assertThat(Conditions.turned(previous, NEXT, "Applied", Conditions.TRUE)).isTrue();
  }

  @Test
  void aNullListIsNoConditionsAtAll() {
    assertThat(carried(null))
        .extracting(Condition::getLastTransitionTime)
        .containsOnly("2026-01-01T01:00:00Z");
  }

  @Test
  void anUnchangedStatusWithAMalformedTransitionTimeGetsNow() {
    // Stored under an older CRD without the date-time format; the CRDs refuse to keep it.
    List<Condition> previous =
        List.of(
            new ConditionBuilder()
                .withType("Applied")
                .withStatus("True")
                .withLastTransitionTime("yesterday")
                .build());
    assertThat(carried(previous).getFirst().getLastTransitionTime())
        .isEqualTo("2026-01-01T01:00:00Z");
  }

  @Test
  void anUnchangedStatusWithoutATransitionTimeGetsNow() {
    List<Condition> previous =
        List.of(new ConditionBuilder().withType("Applied").withStatus("True").build());
    assertThat(carried(previous).getFirst().getLastTransitionTime())
        .isEqualTo("2026-01-01T01:00:00Z");
  }
}
