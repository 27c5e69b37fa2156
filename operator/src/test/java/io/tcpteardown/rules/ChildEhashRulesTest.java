package io.tcpteardown.rules;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.ProfilePods;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules of childEhashEntries: range, floor, twice the pods' maxTwBuckets, memory, merge. */
@UnitTest
class ChildEhashRulesTest {
  private static final long GIB = 1024L * 1024 * 1024;
  private static final ProfilePods ALL_PODS = new ProfilePods(null, null, null);

  private static List<String> rules(TcpTeardownProfileSpec spec) {
    return SafetyRules.validate(spec).stream().map(Violation::rule).toList();
  }

  @ParameterizedTest(name = "childEhashEntries {0}: {1}")
  @CsvSource({
    "0, ''",
    "1, ChildEhashFloor",
    "1024, ChildEhashFloor",
    "8191, ChildEhashFloor",
    "8192, ''",
    "1000000, ''",
    "16777216, ''",
    "16777217, OutOfRange",
    "-1, OutOfRange"
  })
  void rangeAndFloor(int entries, String rule) {
    assertThat(rules(spec().childEhashEntries(entries).build()))
        .isEqualTo(rule.isEmpty() ? List.of() : List.of(rule));
  }

  @Test
  void theFloorMessageSpellsOutTheTimeWaitLimitAPodWouldGet() {
    Violation violation = SafetyRules.validate(spec().childEhashEntries(1000).build()).getFirst();
    assertThat(violation.field()).isEqualTo("spec.childEhashEntries");
    assertThat(violation.message()).contains("512", "tcp_max_tw_buckets", "4096", "8192");
  }

  @ParameterizedTest(name = "entries {0}, maxTwBuckets {1}, pods {2}: {3}")
  @CsvSource({
    "16384, 8192, true, ''",
    "16384, 8193, true, ChildEhashBelowTwiceTw",
    "16384, 8193, false, ''",
    "0, 1000000, true, ''",
    "65536, 4096, true, ''"
  })
  void theTableIsAtLeastTwiceThePodsMaxTwBuckets(
      int entries, int maxTw, boolean pods, String rule) {
    var builder = spec().childEhashEntries(entries).maxTwBuckets(maxTw);
    if (pods) {
      builder.pods(ALL_PODS);
    }
    assertThat(rules(builder.build())).isEqualTo(rule.isEmpty() ? List.of() : List.of(rule));
  }

  @ParameterizedTest(name = "{0} entries -> {1} buckets")
  @CsvSource({"0, 0", "1, 1", "1000, 1024", "1024, 1024", "8193, 16384", "16777216, 16777216"})
  void tablesAreRoundedUpToAPowerOfTwo(int entries, long buckets) {
    assertThat(SafetyRules.ehashBuckets(entries)).isEqualTo(buckets);
  }

  @Test
  void memoryOfTheMaximumPodsTablesWithinFivePercent() {
    // 1 Mi buckets x 8 B = 8 MiB per pod; 110 pods = 880 MiB; 5% of 16 GiB = 819 MiB.
    assertThat(SafetyRules.childEhashMemoryHoldBack(1 << 20, 16 * GIB, 110L))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .contains("held back", "8192 KiB per pod", "110 pods", "5%", "524288"));
    assertThat(SafetyRules.childEhashMemoryHoldBack(1 << 19, 16 * GIB, 110L)).isEmpty();
    assertThat(SafetyRules.childEhashMemoryHoldBack(1 << 20, 16 * GIB, null)).isEmpty();
    assertThat(SafetyRules.childEhashMemoryHoldBack(1 << 20, null, 110L)).isEmpty();
    assertThat(SafetyRules.childEhashMemoryHoldBack(0, 1L, 110L)).isEmpty();
  }

  private static TcpTeardownProfile profile(String name, TcpTeardownProfileSpec spec) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(name).build());
    profile.setSpec(spec);
    return profile;
  }

  @Test
  void priorityMergeAndAMemoryHoldBackLetALowerPriorityValueWin() {
    NodeFacts node = new NodeFacts("n", "u", Map.of(), 16 * GIB, 110L);
    NodeResolution resolution =
        Resolver.resolve(
            node,
            List.of(
                profile("huge", spec().priority(9).childEhashEntries(1 << 20).build()),
                profile("big", spec().priority(5).childEhashEntries(65536).build()),
                profile("small", spec().childEhashEntries(8192).build())));
    assertThat(resolution.settings().childEhashEntries()).isEqualTo(65536);
    assertThat(resolution.sources()).containsEntry("childEhashEntries", "big");
    assertThat(resolution.heldBack())
        .singleElement()
        .satisfies(h -> assertThat(h.profile()).isEqualTo("huge"));
    assertThat(resolution.settings().sysctlValue(ManagedSysctl.CHILD_EHASH_ENTRIES))
        .isEqualTo(65536L);
  }

  @Test
  void anotherProfilesPodMaxTwBucketsAboveHalfTheTableHoldsItBack() {
    NodeFacts node = new NodeFacts("n", "u", Map.of(), 16 * GIB, 110L);
    NodeResolution resolution =
        Resolver.resolve(
            node,
            List.of(
                profile("tables", spec().childEhashEntries(16384).build()),
                profile("pods", spec().maxTwBuckets(10000).pods(ALL_PODS).build())));
    assertThat(resolution.settings().childEhashEntries()).isNull();
    assertThat(resolution.heldBack())
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.field()).isEqualTo("childEhashEntries");
              assertThat(h.profile()).isEqualTo("tables");
              assertThat(h.reason()).contains("pods", "10000", "20000");
            });
    NodeResolution fits =
        Resolver.resolve(
            node,
            List.of(
                profile("tables", spec().childEhashEntries(32768).build()),
                profile("pods", spec().maxTwBuckets(10000).pods(ALL_PODS).build())));
    assertThat(fits.settings().childEhashEntries()).isEqualTo(32768);
    assertThat(fits.heldBack()).isEmpty();
  }

  @Test
  void neverAPodsField() {
    TcpTeardownProfile withPods =
        profile("p", spec().childEhashEntries(16384).finTimeoutSeconds(30).pods(ALL_PODS).build());
    assertThat(Resolver.podRule(withPods))
        .hasValueSatisfying(r -> assertThat(r.settings().childEhashEntries()).isNull());
    assertThat(ManagedSysctl.CHILD_EHASH_ENTRIES.scope())
        .isEqualTo(ManagedSysctl.Scope.NAMESPACES_CREATED_LATER);
    TcpTeardownProfile onlyTables =
        profile("t", spec().childEhashEntries(16384).pods(ALL_PODS).build());
    assertThat(Resolver.podRule(onlyTables)).isEmpty();
    PodRule rule =
        new PodRule(
            "forced",
            0,
            null,
            null,
            false,
            new io.tcpteardown.api.TeardownSettings(null, 30, null, null, null, null, 16384));
    var decision =
        PodResolution.resolve(
                List.of(rule),
                List.of(new PodFacts("uid", "ns", "pod", Map.of(), Map.of(), java.util.Set.of())))
            .decisions()
            .getFirst();
    assertThat(decision.apply().childEhashEntries()).isNull();
    assertThat(decision.apply().finTimeoutSeconds()).isEqualTo(30);
  }
}
