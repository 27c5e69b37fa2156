package io.tcpteardown.rules;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.tcpteardown.api.HeldBackSetting;
import io.tcpteardown.api.NodePodRule;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.PodMode;
import io.tcpteardown.api.ProfilePods;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.tier.UnitTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Profiles at every schema bound are valid, one past any bound is refused, and the largest
 * TcpTeardownNode spec any set of valid profiles can make stays under etcd's request limit with
 * room for the node's bounded status (docs/design.md, "Bounds").
 */
@UnitTest
class NodeSpecBoundsTest {
  /** etcd's default --max-request-bytes: 1.5 MiB. */
  static final long ETCD_REQUEST_LIMIT = 1536 * 1024;

  /** The node's status is bounded at 256 KiB; metadata (name, owner, managedFields) 16 KiB. */
  static final long SPEC_BUDGET = ETCD_REQUEST_LIMIT - 256 * 1024 - 16 * 1024;

  private static final long GIB = 1024L * 1024 * 1024;

  /** A DNS subdomain of exactly {@code length} characters, distinct per {@code seed}. */
  static String dnsName(int length, int seed) {
    StringBuilder name = new StringBuilder(String.format("n%05d", seed));
    while (name.length() < length) {
      name.append((name.length() + 1) % 64 == 0 ? '.' : 'a');
    }
    name.setLength(length);
    if (name.charAt(length - 1) == '.') {
      name.setCharAt(length - 1, 'z');
    }
    return name.toString();
  }

  /** A label key of 317 characters: a 253-character prefix, a slash, a 63-character name. */
  static String key(int seed) {
    return dnsName(253, seed) + "/" + String.format("k%04d", seed) + "x".repeat(58);
  }

  static String value(int seed) {
    return String.format("v%04d", seed) + "y".repeat(58);
  }

  static NodeSelector maximal(UnaryOperator<Integer> labels, int expressions, int values) {
    Map<String, String> matchLabels = new LinkedHashMap<>();
    for (int i = 0; i < labels.apply(NodeSelector.MAX_LABELS); i++) {
      matchLabels.put(key(i), value(i));
    }
    List<NodeSelectorRequirement> requirements = new ArrayList<>();
    for (int e = 0; e < expressions; e++) {
      List<String> listed = new ArrayList<>();
      for (int v = 0; v < values; v++) {
        listed.add(value(v));
      }
      requirements.add(new NodeSelectorRequirement(key(100 + e), "NotIn", listed));
    }
    return new NodeSelector(matchLabels, requirements);
  }

  static NodeSelector maximal() {
    return maximal(n -> n, NodeSelector.MAX_EXPRESSIONS, NodeSelectorRequirement.MAX_VALUES);
  }

  static TcpTeardownProfile profile(int seed, NodeSelector podSelector) {
    TcpTeardownProfileSpec spec =
        spec()
            .priority(seed % 1000)
            .orphanRetries(3)
            .finTimeoutSeconds(30)
            .maxOrphans(65536)
            .maxTwBuckets(50000)
            .twReuse(TwReuse.Enabled)
            .timestamps(Timestamps.Enabled)
            .pods(new ProfilePods(maximal(), podSelector, PodMode.ReportOnly))
            .build();
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(dnsName(253, seed)).build());
    profile.setSpec(spec);
    return profile;
  }

  @Test
  void aProfileAtEveryBoundIsValid() {
    assertThat(ProfileValidation.validate(profile(0, maximal()))).isEmpty();
  }

  @Test
  void onePastAnyBoundOfASelectorIsRefusedNamingTheField() {
    Map<String, NodeSelector> past = new LinkedHashMap<>();
    past.put("matchLabels", maximal(n -> n + 1, 1, 1));
    past.put("matchExpressions", maximal(n -> 0, NodeSelector.MAX_EXPRESSIONS + 1, 1));
    past.put("values", maximal(n -> 0, 1, NodeSelectorRequirement.MAX_VALUES + 1));
    past.put(
        "matchLabels.",
        new NodeSelector(Map.of("a".repeat(253) + "/" + "k".repeat(64), "v"), null));
    past.put("matchLabels.k", new NodeSelector(Map.of("k", "v".repeat(64)), null));
    past.put(
        "values[0]",
        new NodeSelector(
            null, List.of(new NodeSelectorRequirement("k", "In", List.of("v".repeat(64))))));
    past.forEach(
        (field, selector) ->
            assertThat(ProfileValidation.validate(profile(1, selector)))
                .as(field)
                .isNotEmpty()
                .anySatisfy(
                    v ->
                        assertThat(v.field()).startsWith("spec.pods.podSelector").contains(field)));
  }

  @Test
  void theLargestNodeSpecThatValidProfilesMakeStaysUnderEtcdsLimit() {
    List<TcpTeardownProfile> profiles = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      profiles.add(profile(i, maximal()));
    }
    assertThat(profiles).allSatisfy(p -> assertThat(ProfileValidation.validate(p)).isEmpty());
    // 1 GiB: every profile's maxOrphans is held back too.
    NodeFacts node = new NodeFacts(dnsName(253, 99999), "u", Map.of(), GIB);
    TcpTeardownNodeSpec spec = Resolver.resolveAccepted(node, profiles).toSpec();
    // Sizes only: a failure message listing 300 maximal rules would be megabytes long.
    assertThat(spec.podRules().size()).isEqualTo(TcpTeardownNodeSpec.MAX_POD_RULES);
    assertThat(spec.profiles().size()).isEqualTo(TcpTeardownNodeSpec.MAX_PROFILES);
    assertThat(spec.heldBack().size()).isEqualTo(TcpTeardownNodeSpec.MAX_HELD_BACK);
    // The highest priorities win the bounded places.
    assertThat(spec.podRules()).extracting(NodePodRule::priority).allMatch(p -> p >= 284);
    long bytes = bytes(node.name(), spec);
    System.out.printf("node spec from 300 maximal profiles: %d bytes%n", bytes);
    assertThat(bytes).isLessThanOrEqualTo(SPEC_BUDGET);
  }

  @Test
  void theLargestSpecTheSchemaAdmitsStaysUnderEtcdsLimit() {
    NodeSelector selector = maximal();
    List<NodePodRule> rules = new ArrayList<>();
    for (int i = 0; i < TcpTeardownNodeSpec.MAX_POD_RULES; i++) {
      rules.add(
          new NodePodRule(
              dnsName(253, i),
              1000,
              selector,
              selector,
              PodMode.ReportOnly,
              15,
              300,
              2_000_000,
              TwReuse.LoopbackOnly,
              Timestamps.EnabledWithoutOffsets));
    }
    List<String> names = new ArrayList<>();
    List<HeldBackSetting> heldBack = new ArrayList<>();
    for (int i = 0; i < TcpTeardownNodeSpec.MAX_PROFILES; i++) {
      names.add(dnsName(253, i));
    }
    for (int i = 0; i < TcpTeardownNodeSpec.MAX_HELD_BACK; i++) {
      heldBack.add(
          new HeldBackSetting(
              "f".repeat(HeldBackSetting.MAX_FIELD),
              dnsName(HeldBackSetting.MAX_PROFILE, i),
              "r".repeat(HeldBackSetting.MAX_REASON)));
    }
    Map<String, String> sources = new LinkedHashMap<>();
    for (int i = 0; i < TcpTeardownNodeSpec.MAX_SOURCES; i++) {
      sources.put("field" + i + "x".repeat(58), dnsName(253, i));
    }
    TcpTeardownNodeSpec spec =
        new TcpTeardownNodeSpec(
            15,
            300,
            4194304,
            2_000_000,
            TwReuse.LoopbackOnly,
            Timestamps.Enabled,
            sources,
            names,
            heldBack,
            rules);
    long bytes = bytes(dnsName(253, 1), spec);
    System.out.printf("largest node spec the schema admits: %d bytes%n", bytes);
    assertThat(bytes).isLessThanOrEqualTo(SPEC_BUDGET);
  }

  private static long bytes(String name, TcpTeardownNodeSpec spec) {
    TcpTeardownNode object = new TcpTeardownNode();
    object.setMetadata(new ObjectMetaBuilder().withName(name).build());
    object.setSpec(spec);
    return new KubernetesSerialization().asJson(object).getBytes(StandardCharsets.UTF_8).length;
  }
}
