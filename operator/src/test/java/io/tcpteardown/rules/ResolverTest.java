package io.tcpteardown.rules;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.testsupport.Specs;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@UnitTest
class ResolverTest {
  private static final long GIB = 1024L * 1024 * 1024;
  private static final NodeFacts WEB =
      new NodeFacts("web-1", "u1", Map.of("tier", "web"), 64 * GIB);

  private static TcpTeardownProfile profile(
      String name, NodeSelector selector, TcpTeardownProfileSpec spec) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(name).build());
    profile.setSpec(Specs.selecting(selector, spec));
    return profile;
  }

  private static NodeSelector tier(String value) {
    return new NodeSelector(Map.of("tier", value), null);
  }

  @Test
  void higherPriorityWinsPerFieldAndOthersStillContribute() {
    NodeResolution resolution =
        Resolver.resolve(
            WEB,
            List.of(
                profile("base", null, spec().finTimeoutSeconds(60).orphanRetries(2).build()),
                profile("web", tier("web"), spec().priority(10).finTimeoutSeconds(15).build())));
    assertThat(resolution.settings().finTimeoutSeconds()).isEqualTo(15);
    assertThat(resolution.settings().orphanRetries()).isEqualTo(2);
    assertThat(resolution.sources())
        .containsEntry("finTimeoutSeconds", "web")
        .containsEntry("orphanRetries", "base");
    assertThat(resolution.profiles()).containsExactly("base", "web");
    assertThat(resolution.conflicts()).isEmpty();
  }

  @Test
  void equalPriorityDifferentValuesNameFirstWinsAndConflicts() {
    NodeResolution resolution =
        Resolver.resolve(
            WEB,
            List.of(
                profile("zeta", null, spec().finTimeoutSeconds(20).build()),
                profile("alpha", null, spec().finTimeoutSeconds(40).build())));
    assertThat(resolution.settings().finTimeoutSeconds()).isEqualTo(40);
    assertThat(resolution.conflicts())
        .containsExactly(new NodeResolution.FieldConflict("finTimeoutSeconds", "alpha", "zeta"));
  }

  @Test
  void equalPrioritySameValueIsNoConflict() {
    NodeResolution resolution =
        Resolver.resolve(
            WEB,
            List.of(
                profile("a", null, spec().finTimeoutSeconds(20).build()),
                profile("b", null, spec().finTimeoutSeconds(20).build())));
    assertThat(resolution.conflicts()).isEmpty();
  }

  @Test
  void rejectedAndNonMatchingProfilesContributeNothing() {
    NodeResolution resolution =
        Resolver.resolve(
            WEB,
            List.of(
                profile("bad", null, spec().twRecycle(true).finTimeoutSeconds(20).build()),
                profile("db", tier("db"), spec().orphanRetries(1).build())));
    assertThat(resolution.settings().isEmpty()).isTrue();
    assertThat(resolution.profiles()).isEmpty();
  }

  @Test
  void maxOrphansThatDoesNotFitIsHeldBackAndALowerPriorityValueMayWin() {
    NodeFacts small = new NodeFacts("small", "u2", Map.of(), 8 * GIB);
    NodeResolution resolution =
        Resolver.resolve(
            small,
            List.of(
                profile("big", null, spec().priority(5).maxOrphans(65536).build()),
                profile("fits", null, spec().maxOrphans(16384).build())));
    assertThat(resolution.settings().maxOrphans()).isEqualTo(16384);
    assertThat(resolution.sources()).containsEntry("maxOrphans", "fits");
    assertThat(resolution.heldBack())
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.profile()).isEqualTo("big");
              assertThat(h.reason()).contains("maxOrphans: 65536 is held back");
            });
  }

  @Test
  void selectorExpressionsMatch() {
    var in = expression("tier", "In", List.of("web", "edge"));
    var notExists = expression("gpu", "DoesNotExist", null);
    var notIn = expression("tier", "NotIn", List.of("web"));
    assertThat(LabelSelectors.matches(in, WEB.labels())).isTrue();
    assertThat(LabelSelectors.matches(notExists, WEB.labels())).isTrue();
    assertThat(LabelSelectors.matches(notIn, WEB.labels())).isFalse();
    assertThat(LabelSelectors.matches(null, WEB.labels())).isTrue();
  }

  private static NodeSelector expression(String key, String operator, List<String> values) {
    return new NodeSelector(
        null, java.util.Arrays.asList(new NodeSelectorRequirement(key, operator, values)));
  }

  @Test
  void podRulesOfTheSelectingProfilesAreCopiedWithoutTheNodeWideField() {
    io.tcpteardown.api.ProfilePods pods =
        new io.tcpteardown.api.ProfilePods(
            null, new NodeSelector(Map.of("app", "web"), null), null);
    NodeResolution resolution =
        Resolver.resolve(
            WEB,
            List.of(
                profile(
                    "zeta",
                    null,
                    spec().priority(3).finTimeoutSeconds(20).maxOrphans(65536).pods(pods).build()),
                profile("alpha", null, spec().maxOrphans(65536).pods(pods).build()),
                profile("db", tier("db"), spec().finTimeoutSeconds(30).pods(pods).build()),
                profile("plain", null, spec().maxTwBuckets(50000).build())));
    assertThat(resolution.toSpec().podRules())
        .singleElement()
        .isEqualTo(
            new io.tcpteardown.api.NodePodRule(
                "zeta",
                3,
                null,
                new NodeSelector(Map.of("app", "web"), null),
                io.tcpteardown.api.PodMode.Apply,
                null,
                20,
                null,
                null,
                null));
  }
}
