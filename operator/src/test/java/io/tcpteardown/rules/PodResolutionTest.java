package io.tcpteardown.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.rules.PodResolution.PodConflict;
import io.tcpteardown.rules.PodResolution.PodDecision;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@UnitTest
class PodResolutionTest {
  private static final TeardownSettings FIN_25 =
      new TeardownSettings(null, 25, null, null, null, null);
  private static final TeardownSettings FIN_30_BUCKETS =
      new TeardownSettings(null, 30, null, 50000, null, null);

  private static PodFacts pod(String name, Map<String, String> labels, String namespace) {
    return new PodFacts(
        "uid-" + name,
        namespace,
        name,
        labels,
        Map.of("kubernetes.io/metadata.name", namespace),
        Set.of());
  }

  private static PodRule rule(String profile, int priority, TeardownSettings settings) {
    return new PodRule(profile, priority, null, null, false, settings);
  }

  private static PodDecision only(PodResolution.Result result) {
    assertThat(result.decisions()).hasSize(1);
    return result.decisions().getFirst();
  }

  @Test
  void absentSelectorsSelectEveryPodAndMaxOrphansNeverReachesAPod() {
    TeardownSettings all =
        new TeardownSettings(3, 25, 65536, 50000, TwReuse.Enabled, Timestamps.Enabled);
    PodDecision decision =
        only(PodResolution.resolve(List.of(rule("a", 0, all)), List.of(pod("p", Map.of(), "x"))));
    assertThat(decision.apply())
        .isEqualTo(new TeardownSettings(3, 25, null, 50000, TwReuse.Enabled, Timestamps.Enabled));
    assertThat(decision.sources())
        .doesNotContainKey("maxOrphans")
        .containsEntry("orphanRetries", "a");
    assertThat(decision.matched()).isTrue();
  }

  @Test
  void selectorsOnPodAndNamespaceLabelsChooseThePods() {
    NodeSelector notKubeSystem =
        new NodeSelector(
            null,
            List.of(
                new NodeSelectorRequirement(
                    "kubernetes.io/metadata.name", "NotIn", List.of("kube-system"))));
    NodeSelector web = new NodeSelector(Map.of("app", "web"), null);
    PodRule r = new PodRule("a", 0, notKubeSystem, web, false, FIN_25);
    var result =
        PodResolution.resolve(
            List.of(r),
            List.of(
                pod("web", Map.of("app", "web"), "shop"),
                pod("db", Map.of("app", "db"), "shop"),
                pod("dns", Map.of("app", "web"), "kube-system")));
    assertThat(result.decisions())
        .extracting(d -> d.pod().name(), PodDecision::apply, PodDecision::matched)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("web", FIN_25, true),
            org.assertj.core.groups.Tuple.tuple("db", TeardownSettings.NONE, false),
            org.assertj.core.groups.Tuple.tuple("dns", TeardownSettings.NONE, false));
  }

  @Test
  void highestPriorityWinsPerFieldAndTiesGoToTheNameThatSortsFirstWithAConflict() {
    var result =
        PodResolution.resolve(
            List.of(
                rule("zeta", 10, FIN_25),
                rule("beta", 5, FIN_30_BUCKETS),
                rule("alpha", 5, new TeardownSettings(null, null, null, 40000, null, null))),
            List.of(pod("p", Map.of(), "x"), pod("q", Map.of(), "x")));
    PodDecision p = result.decisions().getFirst();
    assertThat(p.apply()).isEqualTo(new TeardownSettings(null, 25, null, 40000, null, null));
    assertThat(p.sources())
        .containsEntry("finTimeoutSeconds", "zeta")
        .containsEntry("maxTwBuckets", "alpha");
    assertThat(result.conflicts())
        .containsExactly(
            new PodConflict(List.of("alpha", "beta"), "maxTwBuckets", List.of("x/p", "x/q")));
  }

  @Test
  void equalValuesAtEqualPriorityAreNoConflict() {
    var result =
        PodResolution.resolve(
            List.of(rule("a", 1, FIN_25), rule("b", 1, FIN_25)), List.of(pod("p", Map.of(), "x")));
    assertThat(result.conflicts()).isEmpty();
    assertThat(only(result).sources()).containsEntry("finTimeoutSeconds", "a");
  }

  @Test
  void aFieldThePodSetsItselfIsLeftToThePod() {
    PodFacts own =
        new PodFacts("u", "x", "p", Map.of(), Map.of(), Set.of("net.ipv4.tcp_fin_timeout"));
    PodDecision decision =
        only(PodResolution.resolve(List.of(rule("a", 0, FIN_30_BUCKETS)), List.of(own)));
    assertThat(decision.apply())
        .isEqualTo(new TeardownSettings(null, null, null, 50000, null, null));
    assertThat(decision.leftToPod()).isEqualTo(Map.of("finTimeoutSeconds", "a"));
    assertThat(decision.sources()).isEqualTo(Map.of("maxTwBuckets", "a"));
    // A clash on a field the pod sets itself is no conflict.
    assertThat(
            PodResolution.resolve(
                    List.of(rule("a", 0, FIN_25), rule("b", 0, FIN_30_BUCKETS)), List.of(own))
                .conflicts())
        .isEmpty();
  }

  @Test
  void aReportOnlyWinnerIsReportedNotWrittenAndALowerApplyRuleDoesNotSlipIn() {
    PodRule reportOnly = new PodRule("watch", 10, null, null, true, FIN_25);
    var result =
        PodResolution.resolve(
            List.of(reportOnly, rule("apply", 0, FIN_30_BUCKETS)),
            List.of(pod("p", Map.of(), "x")));
    PodDecision decision = only(result);
    assertThat(decision.reportOnly()).isEqualTo(FIN_25);
    assertThat(decision.apply())
        .isEqualTo(new TeardownSettings(null, null, null, 50000, null, null));
    assertThat(decision.sources())
        .containsEntry("finTimeoutSeconds", "watch")
        .containsEntry("maxTwBuckets", "apply");
  }

  @Test
  void hostileRulesAndSelectorsAreTotal() {
    NodeSelector broken =
        new NodeSelector(
            null, java.util.Arrays.asList(new NodeSelectorRequirement(null, "Bogus", null)));
    var result =
        PodResolution.resolve(
            java.util.Arrays.asList(
                null,
                new PodRule(null, 0, null, null, false, FIN_25),
                new PodRule("n", 0, null, null, false, null),
                new PodRule("b", 0, broken, null, false, FIN_25)),
            List.of(new PodFacts("u", "x", "p", null, null, null)));
    assertThat(only(result).matched()).isFalse();
  }
}
