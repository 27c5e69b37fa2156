package io.tcpteardown.rules.advice;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@UnitTest
class AdviceHoldTest {
  private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
  private static final Advice FIN =
      new Advice(AdviceReason.OrphansInFinWait2, ManagedSysctl.FIN_TIMEOUT, 60L, 30, "m");
  private static final Advice TABLE =
      new Advice(AdviceReason.TimeWaitTableFull, ManagedSysctl.MAX_TW_BUCKETS, 5000L, 10000, "m");

  private static NamespaceEvidence evidence(long overflowRise) {
    return AdviceRulesTest.quiet().miniSockets(0, overflowRise).build();
  }

  @Test
  void adviceAppearsAfterItsEvidenceHeldForThreeReportsAndKeepsItsSince() {
    AdviceHold hold = AdviceHold.empty();
    for (int report = 1; report <= 2; report++) {
      AdviceHold.Step step = hold.next(List.of(FIN), evidence(0), T0.plusSeconds(60L * report));
      assertThat(step.shown()).as("report " + report).isEmpty();
      hold = step.hold();
    }
    AdviceHold.Step third = hold.next(List.of(FIN), evidence(0), T0.plusSeconds(180));
    assertThat(third.shown()).containsExactly(new AdviceHold.Shown(FIN, T0.plusSeconds(60)));
  }

  @Test
  void evidenceThatDoesNotHoldInARowStartsAgain() {
    AdviceHold hold = AdviceHold.empty();
    hold = hold.next(List.of(FIN), evidence(0), T0).hold();
    hold = hold.next(List.of(FIN), evidence(0), T0).hold();
    hold = hold.next(List.of(), evidence(0), T0).hold();
    assertThat(hold.tracks()).isEmpty();
    assertThat(hold.next(List.of(FIN), evidence(0), T0).shown()).isEmpty();
  }

  @Test
  void aRisingCounterShowsTheTableAdviceAtOnce() {
    assertThat(AdviceHold.empty().next(List.of(TABLE), evidence(4), T0).shown()).hasSize(1);
    assertThat(AdviceHold.empty().next(List.of(TABLE), evidence(0), T0).shown()).isEmpty();
  }

  @Test
  void shownAdviceDisappearsOnlyAfterThreeReportsWithoutIt() {
    AdviceHold hold = AdviceHold.empty().next(List.of(TABLE), evidence(1), T0).hold();
    for (int report = 1; report <= 2; report++) {
      AdviceHold.Step step = hold.next(List.of(), evidence(0), T0);
      assertThat(step.shown()).as("missed " + report).hasSize(1);
      hold = step.hold();
    }
    AdviceHold.Step third = hold.next(List.of(), evidence(0), T0);
    assertThat(third.shown()).isEmpty();
    assertThat(third.hold().tracks()).isEmpty();
  }
}
