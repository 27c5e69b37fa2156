package io.tcpteardown.rules.advice;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.rules.SafetyRules;
import io.tcpteardown.rules.advice.Destination.Family;
import io.tcpteardown.tier.UnitTest;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class AdviceRulesTest {
  private static final long GIB = 1024L * 1024 * 1024;
  private static final Destination UPSTREAM =
      new Destination(Family.IPV4, "10.0.0.5", "10.0.0.9", 8080);

  /** A quiet namespace with the kernel's defaults of a new namespace, on a node of 16 GiB. */
  static Evidence quiet() {
    Map<ManagedSysctl, Long> current = new EnumMap<>(ManagedSysctl.class);
    current.put(ManagedSysctl.ORPHAN_RETRIES, 0L);
    current.put(ManagedSysctl.FIN_TIMEOUT, 60L);
    current.put(ManagedSysctl.MAX_ORPHANS, 65536L);
    current.put(ManagedSysctl.MAX_TW_BUCKETS, 131072L);
    current.put(ManagedSysctl.TW_REUSE, 2L);
    current.put(ManagedSysctl.TIMESTAMPS, 1L);
    return new Evidence(
        current, new PortRange(32768, 60999, 0), List.of(), 0, 0, 0, 0, 0, 0, 0, 0, 16 * GIB);
  }

  /** A mutable builder of evidence, for tables. */
  record Evidence(
      Map<ManagedSysctl, Long> current,
      PortRange ports,
      List<DestinationCount> destinations,
      long peakMiniSockets,
      long timeWaitOverflowRise,
      long abortOnMemoryRise,
      long orphans,
      long unansweredOrphans,
      long finWait2Orphans,
      long halfClosed,
      long mostRetransmits,
      Long nodeMemoryBytes) {
    Evidence with(ManagedSysctl field, long value) {
      Map<ManagedSysctl, Long> changed = new EnumMap<>(current);
      changed.put(field, value);
      return new Evidence(
          changed,
          ports,
          destinations,
          peakMiniSockets,
          timeWaitOverflowRise,
          abortOnMemoryRise,
          orphans,
          unansweredOrphans,
          finWait2Orphans,
          halfClosed,
          mostRetransmits,
          nodeMemoryBytes);
    }

    Evidence ports(PortRange range, long towardUpstream) {
      return new Evidence(
          current,
          range,
          List.of(new DestinationCount(UPSTREAM, towardUpstream)),
          peakMiniSockets,
          timeWaitOverflowRise,
          abortOnMemoryRise,
          orphans,
          unansweredOrphans,
          finWait2Orphans,
          halfClosed,
          mostRetransmits,
          nodeMemoryBytes);
    }

    Evidence miniSockets(long peak, long overflowRise) {
      return new Evidence(
          current,
          ports,
          destinations,
          peak,
          overflowRise,
          abortOnMemoryRise,
          orphans,
          unansweredOrphans,
          finWait2Orphans,
          halfClosed,
          mostRetransmits,
          nodeMemoryBytes);
    }

    Evidence orphans(long orphans, long unanswered, long mostRetransmits, long abortRise) {
      return new Evidence(
          current,
          ports,
          destinations,
          peakMiniSockets,
          timeWaitOverflowRise,
          abortRise,
          orphans,
          unanswered,
          finWait2Orphans,
          halfClosed,
          mostRetransmits,
          nodeMemoryBytes);
    }

    Evidence finWait2(long orphaned, long halfClosed) {
      return new Evidence(
          current,
          ports,
          destinations,
          peakMiniSockets,
          timeWaitOverflowRise,
          abortOnMemoryRise,
          orphans,
          unansweredOrphans,
          orphaned,
          halfClosed,
          mostRetransmits,
          nodeMemoryBytes);
    }

    Evidence memory(Long bytes) {
      return new Evidence(
          current,
          ports,
          destinations,
          peakMiniSockets,
          timeWaitOverflowRise,
          abortOnMemoryRise,
          orphans,
          unansweredOrphans,
          finWait2Orphans,
          halfClosed,
          mostRetransmits,
          bytes);
    }

    NamespaceEvidence build() {
      return new NamespaceEvidence(
          current,
          ports,
          destinations,
          0,
          false,
          peakMiniSockets,
          timeWaitOverflowRise,
          abortOnMemoryRise,
          orphans,
          unansweredOrphans,
          0,
          mostRetransmits,
          finWait2Orphans,
          halfClosed,
          nodeMemoryBytes);
    }
  }

  @Test
  void aQuietNamespaceWithTheKernelsDefaultsGetsNoAdvice() {
    assertThat(AdviceRules.advise(quiet().build())).isEmpty();
  }

  @ParameterizedTest(name = "range {0}-{1}, {2} toward one destination, reuse {3}: advised {4}")
  @CsvSource({
    // Half of the usable range or more, reuse not 1: advise.
    "40000, 40999, 500, 2, true",
    "40000, 40999, 499, 2, false",
    "40000, 40999, 1000, 0, true",
    // Reuse already on: nothing to gain.
    "40000, 40999, 1000, 1, false",
    "32768, 60999, 14116, 2, true",
    "32768, 60999, 14115, 2, false",
  })
  void portsTowardOneDestination(int low, int high, long sockets, long reuse, boolean advised) {
    NamespaceEvidence evidence =
        quiet()
            .with(ManagedSysctl.TW_REUSE, reuse)
            .ports(new PortRange(low, high, 0), sockets)
            .build();
    List<Advice> advice = AdviceRules.advise(evidence);
    if (advised) {
      assertThat(advice)
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.reason()).isEqualTo(AdviceReason.PortsTowardOneDestination);
                assertThat(a.field()).isEqualTo(ManagedSysctl.TW_REUSE);
                assertThat(a.suggested()).isEqualTo(TwReuse.Enabled);
                assertThat(a.message())
                    .contains(
                        "10.0.0.5 -> 10.0.0.9:8080",
                        String.valueOf(sockets),
                        low + "-" + high,
                        "remote end");
              });
    } else {
      assertThat(advice).isEmpty();
    }
  }

  @Test
  void reservedPortsShrinkTheRangeConnectDrawsFrom() {
    NamespaceEvidence evidence = quiet().ports(new PortRange(40000, 40999, 200), 400).build();
    assertThat(AdviceRules.advise(evidence))
        .singleElement()
        .extracting(Advice::reason)
        .isEqualTo(AdviceReason.PortsTowardOneDestination);
  }

  @Test
  void reuseWithTimestampsOffIsAdvisedTogetherWithTimestamps() {
    NamespaceEvidence evidence =
        quiet()
            .with(ManagedSysctl.TIMESTAMPS, 0)
            .with(ManagedSysctl.TW_REUSE, 0)
            .ports(new PortRange(40000, 40999, 0), 900)
            .build();
    List<Advice> advice = AdviceRules.advise(evidence);
    assertThat(advice)
        .extracting(Advice::field)
        .containsExactlyInAnyOrder(ManagedSysctl.TW_REUSE, ManagedSysctl.TIMESTAMPS);
    assertThat(advice)
        .filteredOn(a -> a.field() == ManagedSysctl.TIMESTAMPS)
        .singleElement()
        .extracting(Advice::suggested)
        .isEqualTo(Timestamps.Enabled);
  }

  @ParameterizedTest(name = "{0} mini-sockets of {1}, overflow rose {2}: suggested {3}")
  @CsvSource({
    // Below 90% and no overflow: nothing.
    "117964, 131072, 0, -1",
    // At 90%: twice the peak.
    "117965, 131072, 0, 262144",
    // Overflow rose although the count is low now: twice the limit.
    "1000, 5000, 3, 10000",
    // Twice the peak capped by 1% of 16 GiB at 256 bytes: 671,088.
    "600000, 600000, 0, 671088",
  })
  void timeWaitTable(long peak, long limit, long overflowRise, long suggested) {
    NamespaceEvidence evidence =
        quiet().with(ManagedSysctl.MAX_TW_BUCKETS, limit).miniSockets(peak, overflowRise).build();
    List<Advice> advice = AdviceRules.advise(evidence);
    if (suggested < 0) {
      assertThat(advice).isEmpty();
    } else {
      assertThat(advice)
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.reason()).isEqualTo(AdviceReason.TimeWaitTableFull);
                assertThat(a.suggested()).isEqualTo((int) suggested);
                assertThat(a.message()).contains("shortening TIME_WAIT is not offered");
              });
    }
  }

  @Test
  void aTableAlreadyAtTheMemoryShareGetsNoLargerSuggestion() {
    NamespaceEvidence evidence =
        quiet().with(ManagedSysctl.MAX_TW_BUCKETS, 671088).miniSockets(671088, 5).build();
    assertThat(AdviceRules.advise(evidence)).isEmpty();
  }

  @ParameterizedTest(name = "orphanRetries {0}, {1} unanswered: suggested {2}")
  @CsvSource({
    "0, 64, 3",
    "0, 63, -1",
    "7, 500, 3",
    // Already at or below the suggestion: nothing to lower.
    "3, 500, -1",
    "1, 500, -1",
  })
  void unansweredFins(long current, long unanswered, int suggested) {
    NamespaceEvidence evidence =
        quiet()
            .with(ManagedSysctl.ORPHAN_RETRIES, current)
            .orphans(unanswered, unanswered, 6, 0)
            .build();
    List<Advice> advice = AdviceRules.advise(evidence);
    if (suggested < 0) {
      assertThat(advice).isEmpty();
    } else {
      assertThat(advice)
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.reason()).isEqualTo(AdviceReason.UnansweredFins);
                assertThat(a.suggested()).isEqualTo(suggested);
                assertThat(a.message())
                    .contains(unanswered + " orphans", "tcp_retries2")
                    .doesNotContain("backstop");
              });
    }
  }

  @Test
  void orphansNearTheirLimitNameMaxOrphansAsTheBackstop() {
    NamespaceEvidence evidence =
        quiet().with(ManagedSysctl.MAX_ORPHANS, 4096).orphans(4000, 500, 9, 12).build();
    assertThat(AdviceRules.advise(evidence))
        .singleElement()
        .extracting(Advice::message)
        .asString()
        .contains("backstop", "TCPAbortOnMemory rose by 12");
  }

  @ParameterizedTest(name = "finTimeout {0}, {1} FIN_WAIT2 orphans, {2} half-closed: suggested {3}")
  @CsvSource({
    "60, 1024, 0, 30",
    "60, 1023, 0, -1",
    "30, 5000, 0, -1",
    "120, 5000, 0, 30",
    // Half-closed sockets a process owns are not orphans: they alone advise nothing.
    "60, 0, 50000, -1",
  })
  void orphansInFinWait2(long current, long orphaned, long halfClosed, int suggested) {
    NamespaceEvidence evidence =
        quiet().with(ManagedSysctl.FIN_TIMEOUT, current).finWait2(orphaned, halfClosed).build();
    List<Advice> advice = AdviceRules.advise(evidence);
    if (suggested < 0) {
      assertThat(advice).isEmpty();
    } else {
      assertThat(advice).singleElement().extracting(Advice::suggested).isEqualTo(suggested);
    }
  }

  @Test
  void manyHalfClosedSocketsAreSaidNotToBeTheTimeoutsBusiness() {
    NamespaceEvidence evidence = quiet().finWait2(2000, 5000).build();
    assertThat(AdviceRules.advise(evidence))
        .singleElement()
        .extracting(Advice::message)
        .asString()
        .contains("5000 half-closed", "not orphans");
  }

  @Test
  void reuseWithTimestampsOffSetOutsideTheProductIsAdvised() {
    NamespaceEvidence evidence =
        quiet().with(ManagedSysctl.TW_REUSE, 1).with(ManagedSysctl.TIMESTAMPS, 0).build();
    assertThat(AdviceRules.advise(evidence))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.reason()).isEqualTo(AdviceReason.UnsafeCurrentValue);
              assertThat(a.field()).isEqualTo(ManagedSysctl.TIMESTAMPS);
              assertThat(a.suggested()).isEqualTo(Timestamps.Enabled);
            });
  }

  @ParameterizedTest(name = "{0} = {1}: suggested {2}")
  @CsvSource({
    "FIN_TIMEOUT, 999, 120",
    "FIN_TIMEOUT, 1, 5",
    "ORPHAN_RETRIES, 40, 15",
    "MAX_TW_BUCKETS, 100, 4096",
  })
  void valuesOutsideTheSafeRangeAreAdvisedBackIntoIt(
      ManagedSysctl field, long value, int suggested) {
    assertThat(AdviceRules.advise(quiet().with(field, value).build()))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.reason()).isEqualTo(AdviceReason.UnsafeCurrentValue);
              assertThat(a.suggested()).isEqualTo(suggested);
            });
  }

  @Test
  void closeWaitNeverMakesSysctlAdvice() {
    // NamespaceEvidence carries no CLOSE_WAIT at all: an application that does not close is named
    // by the agent down to its process, and no sysctl fixes it.
    assertThat(NamespaceEvidence.class.getRecordComponents())
        .noneMatch(c -> c.getName().toLowerCase().contains("closewait"));
  }

  @Test
  void everySuggestionPassesTheSafetyRulesWithTheNodesMemory() {
    NamespaceEvidence worst =
        quiet()
            .with(ManagedSysctl.TW_REUSE, 0)
            .with(ManagedSysctl.TIMESTAMPS, 0)
            .with(ManagedSysctl.FIN_TIMEOUT, 999)
            .ports(new PortRange(40000, 40100, 0), 100)
            .miniSockets(10_000_000, 9)
            .orphans(70_000, 9_000, 15, 3)
            .finWait2(50_000, 0)
            .memory(2 * GIB)
            .build();
    List<Advice> advice = AdviceRules.advise(worst);
    assertThat(advice).isNotEmpty();
    TeardownSettings settings = TeardownSettings.NONE;
    for (Advice a : advice) {
      settings = settings.with(a.field(), a.suggested());
    }
    assertThat(SafetyRules.validateSettings(settings, "", 2 * GIB)).isEmpty();
    assertThat(advice)
        .allSatisfy(
            a -> assertThat(a.message()).hasSizeLessThanOrEqualTo(AdviceThresholds.MAX_MESSAGE));
    assertThat(advice).extracting(Advice::field).doesNotHaveDuplicates();
  }
}
