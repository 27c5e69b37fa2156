package io.tcpteardown.rules;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class SafetyRulesTest {
  private static final long GIB = 1024L * 1024 * 1024;

  @Test
  void aSensibleProfileHasNoViolation() {
    assertThat(
            SafetyRules.validate(
                spec()
                    .priority(10)
                    .orphanRetries(2)
                    .finTimeoutSeconds(30)
                    .maxOrphans(65536)
                    .maxTwBuckets(262144)
                    .twReuse(TwReuse.Enabled)
                    .timestamps(Timestamps.Enabled)
                    .build()))
        .isEmpty();
  }

  @Test
  void twRecycleMessageNamesFieldValueRuleReasonAndAlternative() {
    Violation violation = SafetyRules.validate(spec().twRecycle(true).build()).getFirst();
    assertThat(violation.field()).isEqualTo("spec.twRecycle");
    assertThat(violation.value()).isEqualTo("true");
    assertThat(violation.rule()).isEqualTo(SafetyRules.RULE_TW_RECYCLE);
    assertThat(violation.message())
        .contains(
            "spec.twRecycle: true", "removed in Linux 4.12", "behind NAT", "twReuse: Enabled");
  }

  @Test
  void twRecycleFalseIsHarmless() {
    assertThat(SafetyRules.validate(spec().twRecycle(false).build())).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"Enabled", "LoopbackOnly"})
  void reuseWithTimestampsDisabledIsRejected(TwReuse reuse) {
    assertThat(SafetyRules.validate(spec().twReuse(reuse).timestamps(Timestamps.Disabled).build()))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.rule()).isEqualTo(SafetyRules.RULE_REUSE_TIMESTAMPS);
              assertThat(v.message())
                  .contains(
                      "spec.twReuse: " + reuse, "spec.timestamps: Disabled", "timestamps: Enabled");
            });
  }

  @Test
  void reuseWithoutAnyTimestampsFieldIsAllowed() {
    assertThat(SafetyRules.validate(spec().twReuse(TwReuse.Enabled).build())).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "orphanRetries, 16, 0..15", "orphanRetries, -1, 0..15",
    "finTimeoutSeconds, 4, 5..120", "finTimeoutSeconds, 999, 5..120",
    "maxOrphans, 1023, 1024..4194304", "maxOrphans, 4194305, 1024..4194304",
    "maxTwBuckets, 4095, 4096..16777216", "maxTwBuckets, 16777217, 4096..16777216",
    "priority, 1001, 0..1000"
  })
  void rangesAreEnforced(String field, int value, String range) {
    TcpTeardownProfileSpec spec =
        switch (field) {
          case "orphanRetries" -> spec().orphanRetries(value).build();
          case "finTimeoutSeconds" -> spec().finTimeoutSeconds(value).build();
          case "maxOrphans" -> spec().maxOrphans(value).build();
          case "maxTwBuckets" -> spec().maxTwBuckets(value).build();
          default -> spec().priority(value).build();
        };
    assertThat(SafetyRules.validate(spec))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("spec." + field);
              assertThat(v.rule()).isEqualTo(SafetyRules.RULE_RANGE);
              assertThat(v.message()).contains("spec." + field + ": " + value, range);
            });
  }

  @ParameterizedTest
  @CsvSource({
    "orphanRetries, 0",
    "orphanRetries, 15",
    "finTimeoutSeconds, 5",
    "finTimeoutSeconds, 120"
  })
  void rangeBoundsAreInclusive(String field, int value) {
    var spec =
        field.equals("orphanRetries")
            ? spec().orphanRetries(value).build()
            : spec().finTimeoutSeconds(value).build();
    assertThat(SafetyRules.validate(spec)).isEmpty();
  }

  @Test
  void invalidSelectorOperatorsAreViolations() {
    var selector =
        new NodeSelector(
            null,
            List.of(
                new NodeSelectorRequirement("tier", "Equals", List.of("web")),
                new NodeSelectorRequirement("zone", "In", null)));
    var spec = new TcpTeardownProfileSpec(selector, null, null, 30, null, null, null, null, null);
    assertThat(SafetyRules.validate(spec))
        .extracting(Violation::field)
        .containsExactly(
            "spec.nodeSelector.matchExpressions[0].operator",
            "spec.nodeSelector.matchExpressions[1].values");
  }

  @Test
  void orphanMemoryRuleHoldsBackAboveAQuarterOfMemory() {
    // 32768 x 64 KiB = 2 GiB: exactly 25% of 8 GiB fits, one more orphan does not.
    assertThat(SafetyRules.orphanMemoryHoldBack(32768, 8 * GIB)).isEmpty();
    assertThat(SafetyRules.orphanMemoryHoldBack(32769, 8 * GIB))
        .get()
        .asString()
        .contains("maxOrphans: 32769 is held back", "25%", "at most 32768");
    assertThat(SafetyRules.orphanMemoryHoldBack(4194304, GIB)).isPresent();
    assertThat(SafetyRules.orphanMemoryHoldBack(null, GIB)).isEmpty();
    assertThat(SafetyRules.orphanMemoryHoldBack(4194304, null)).isEmpty();
  }

  @Test
  void theAgentsCheckOfASpecIncludesTheMemoryRuleAtTheOperatorsBound() {
    var fits =
        io.tcpteardown.api.TeardownSettings.NONE.with(
            io.tcpteardown.api.ManagedSysctl.MAX_ORPHANS, 16384);
    var tampered = fits.with(io.tcpteardown.api.ManagedSysctl.MAX_ORPHANS, 4194304);
    // 16384 x 64 KiB = 1 GiB, exactly 25% of 4 GiB.
    assertThat(SafetyRules.validateSettings(fits, "spec.", 4 * GIB)).isEmpty();
    List<Violation> refused = SafetyRules.validateSettings(tampered, "spec.", 4 * GIB);
    assertThat(refused).extracting(Violation::rule).containsExactly(SafetyRules.RULE_ORPHAN_MEMORY);
    assertThat(refused.getFirst().field()).isEqualTo("spec.maxOrphans");
    assertThat(refused.getFirst().value()).isEqualTo("4194304");
    assertThat(refused.getFirst().message())
        .contains(
            "spec.maxOrphans: 4194304",
            "safety rule OrphanMemory",
            "262144 MiB exceeds 25% of this node's memory (1024 of 4096 MiB)",
            "at most 16384");
    // The operator holds back exactly what the agent refuses.
    for (int maxOrphans : new int[] {4096, 16384, 16385, 4194304}) {
      assertThat(
              SafetyRules.validateSettings(
                      fits.with(io.tcpteardown.api.ManagedSysctl.MAX_ORPHANS, maxOrphans),
                      "spec.",
                      4 * GIB)
                  .stream()
                  .noneMatch(v -> v.rule().equals(SafetyRules.RULE_ORPHAN_MEMORY)))
          .isEqualTo(SafetyRules.orphanMemoryHoldBack(maxOrphans, 4 * GIB).isEmpty());
    }
    // Unknown memory: not checked, as the operator does not.
    assertThat(SafetyRules.validateSettings(tampered, "spec.", null)).isEmpty();
    assertThat(SafetyRules.validateSettings(tampered, "spec.")).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void theSelectorsOfSpecPodsAreCheckedLikeTheNodeSelectorNamingTheirField() {
    io.tcpteardown.api.NodeSelector broken =
        new io.tcpteardown.api.NodeSelector(
            null,
            java.util.List.of(
                new io.tcpteardown.api.NodeSelectorRequirement("app", "In", java.util.List.of())));
    var spec =
        io.tcpteardown.testsupport.Specs.spec()
            .finTimeoutSeconds(30)
            .pods(new io.tcpteardown.api.ProfilePods(broken, broken, null))
            .build();
    org.assertj.core.api.Assertions.assertThat(SafetyRules.validate(spec))
        .extracting(Violation::field)
        .containsExactly(
            "spec.pods.namespaceSelector.matchExpressions[0].values",
            "spec.pods.podSelector.matchExpressions[0].values");
  }
}
