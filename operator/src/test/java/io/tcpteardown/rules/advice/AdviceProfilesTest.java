package io.tcpteardown.rules.advice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.ProfilePods;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.rules.LabelSelectors;
import io.tcpteardown.rules.ProfileValidation;
import io.tcpteardown.tier.UnitTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@UnitTest
class AdviceProfilesTest {
  private static final String SINCE = "2026-12-07T10:00:00Z";
  private static final AdviceProfiles.PodLabels NO_PODS = (ns, pod) -> Optional.empty();

  private static AdviceEntry node(String field, String current, String suggested, String reason) {
    return new AdviceEntry(
        AdviceEntry.SCOPE_HOST_NETWORK,
        null,
        null,
        field,
        current,
        suggested,
        reason,
        "evidence of " + reason,
        SINCE,
        null);
  }

  private static AdviceEntry owned(String field, String suggested, String profile) {
    return new AdviceEntry(
        AdviceEntry.SCOPE_HOST_NETWORK,
        null,
        null,
        field,
        "60",
        suggested,
        "OrphansInFinWait2",
        "m",
        SINCE,
        profile);
  }

  private static AdviceEntry pod(String ns, String name, String field, String suggested) {
    return new AdviceEntry(
        AdviceEntry.SCOPE_POD,
        ns,
        name,
        field,
        "5000",
        suggested,
        "TimeWaitTableFull",
        "m",
        SINCE,
        null);
  }

  private static NodeAdvice at(String node, AdviceEntry... entries) {
    return new NodeAdvice(node, Map.of(AdviceProfiles.HOSTNAME_LABEL, node), List.of(entries));
  }

  /** The printed text read back as YAML documents, each checked by the validation path. */
  private static List<JsonNode> documents(String text) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    var parser = new YAMLFactory().createParser(text);
    var it = new YAMLMapper().readValues(parser, JsonNode.class);
    while (it.hasNextValue()) {
      JsonNode doc = it.nextValue();
      if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
        docs.add(doc);
      }
    }
    for (JsonNode doc : docs) {
      assertThat(ProfileValidation.validateDocument(doc).violations()).as(doc.toString()).isEmpty();
    }
    return docs;
  }

  private static List<String> values(JsonNode selector) {
    List<String> values = new ArrayList<>();
    selector.path("matchExpressions").get(0).path("values").forEach(v -> values.add(v.asText()));
    return values;
  }

  @Test
  void adviceIsGroupedByScopeFieldAndValueIntoOneProfileEach() throws Exception {
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            List.of(
                at("n1", node("finTimeoutSeconds", "60", "30", "OrphansInFinWait2")),
                at("n2", node("finTimeoutSeconds", "60", "30", "OrphansInFinWait2")),
                at(
                    "n3",
                    node("finTimeoutSeconds", "45", "20", "OrphansInFinWait2"),
                    node("twReuse", "Disabled", "Enabled", "PortsTowardOneDestination"))),
            NO_PODS,
            Map.of());

    assertThat(result.refused()).isFalse();
    assertThat(result.notes()).isEmpty();
    List<JsonNode> docs = documents(AdviceYaml.render(result));
    assertThat(docs).hasSize(3);
    assertThat(docs.get(0).path("spec").path("finTimeoutSeconds").asInt()).isEqualTo(20);
    assertThat(values(docs.get(0).path("spec").path("nodeSelector"))).containsExactly("n3");
    assertThat(docs.get(1).path("spec").path("finTimeoutSeconds").asInt()).isEqualTo(30);
    assertThat(values(docs.get(1).path("spec").path("nodeSelector"))).containsExactly("n1", "n2");
    assertThat(docs.get(2).path("spec").path("twReuse").asText()).isEqualTo("Enabled");
    assertThat(docs.get(2).path("spec").has("pods")).isFalse();
    assertThat(docs.get(2).path("metadata").path("name").asText())
        .startsWith("advice-node-twreuse-enabled-");
  }

  @Test
  void theNodeSelectorSelectsExactlyTheNodesConcerned() {
    List<NodeAdvice> nodes = new ArrayList<>();
    nodes.add(at("a", node("orphanRetries", "0", "2", "UnansweredFins")));
    nodes.add(at("b", node("orphanRetries", "0", "2", "UnansweredFins")));
    NodeAdvice quiet = at("c");
    nodes.add(quiet);
    // The node's name is used when it has no hostname label.
    nodes.add(
        new NodeAdvice("d", Map.of(), List.of(node("orphanRetries", "0", "2", "UnansweredFins"))));
    AdviceProfiles.Result result = AdviceProfiles.advise(nodes, NO_PODS, Map.of());

    assertThat(result.proposals()).hasSize(1);
    NodeSelector selector = result.proposals().getFirst().profile().getSpec().nodeSelector();
    assertThat(
            nodes.stream()
                .filter(
                    n ->
                        LabelSelectors.matches(
                            selector,
                            n.labels().isEmpty()
                                ? Map.of(AdviceProfiles.HOSTNAME_LABEL, n.node())
                                : n.labels()))
                .map(NodeAdvice::node))
        .containsExactly("a", "b", "d");
  }

  @Test
  void aGroupPastTheSelectorsValueBoundIsSplitIntoProfilesOfAtMostSixteenNodes() throws Exception {
    List<NodeAdvice> nodes =
        IntStream.range(0, 40)
            .mapToObj(
                i ->
                    at(
                        String.format("node-%02d", i),
                        node("maxTwBuckets", "5000", "10000", "TimeWaitTableFull")))
            .toList();
    AdviceProfiles.Result result = AdviceProfiles.advise(nodes, NO_PODS, Map.of());

    List<JsonNode> docs = documents(AdviceYaml.render(result));
    assertThat(docs).hasSize(3);
    assertThat(docs.stream().map(d -> values(d.path("spec").path("nodeSelector")).size()))
        .containsExactly(16, 16, 8);
    List<String> all = new ArrayList<>();
    docs.forEach(d -> all.addAll(values(d.path("spec").path("nodeSelector"))));
    assertThat(all).doesNotHaveDuplicates().hasSize(40);
    assertThat(docs.stream().map(d -> d.path("metadata").path("name").asText()))
        .doesNotHaveDuplicates()
        .allSatisfy(
            name ->
                assertThat(name)
                    .hasSizeLessThanOrEqualTo(AdviceProfiles.MAX_GENERATED_NAME)
                    .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"));
    assertThat(result.proposals().getFirst().comments().getFirst()).contains("part 1 of 3");
  }

  @Test
  void namesAreStableForTheSameMembersAndDifferForOthers() {
    var one =
        AdviceProfiles.advise(
            List.of(at("a", node("orphanRetries", "0", "2", "UnansweredFins"))), NO_PODS, Map.of());
    var same =
        AdviceProfiles.advise(
            List.of(at("a", node("orphanRetries", "0", "2", "UnansweredFins"))), NO_PODS, Map.of());
    var other =
        AdviceProfiles.advise(
            List.of(at("b", node("orphanRetries", "0", "2", "UnansweredFins"))), NO_PODS, Map.of());
    String name = one.proposals().getFirst().profile().getMetadata().getName();
    assertThat(same.proposals().getFirst().profile().getMetadata().getName()).isEqualTo(name);
    assertThat(other.proposals().getFirst().profile().getMetadata().getName()).isNotEqualTo(name);
    assertThat(name).matches("advice-node-orphanretries-2-[0-9a-f]{8}");
  }

  @Test
  void controlCharactersInTheEvidenceAreEscapedAndCannotLeaveTheComment() throws Exception {
    String hostile =
        "line one\nspec:\n  maxOrphans: 1\n\u001b[31mred\u0000 and \r carriage " + "x".repeat(2000);
    AdviceEntry entry =
        new AdviceEntry(
            AdviceEntry.SCOPE_HOST_NETWORK,
            null,
            null,
            "finTimeoutSeconds",
            "60\n",
            "30",
            "OrphansInFinWait2\u001b",
            hostile,
            SINCE + "\n---",
            "base\u0007");
    AdviceProfiles.Result result =
        AdviceProfiles.advise(List.of(at("n1", entry)), NO_PODS, Map.of("base\u0007", 0));

    String text = AdviceYaml.render(result);
    assertThat(text.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
    assertThat(text).doesNotContain("\u001b").contains("\\x1b[31mred\\x00");
    text.lines()
        .filter(l -> !l.startsWith("#"))
        .forEach(l -> assertThat(l).doesNotContain("red").doesNotContain("maxOrphans"));
    assertThat(text.lines().filter(l -> l.startsWith("#")))
        .allSatisfy(
            l -> assertThat(l.length()).isLessThanOrEqualTo(AdviceProfiles.MAX_COMMENT + 4));
    List<JsonNode> docs = documents(text);
    assertThat(docs).hasSize(1);
    assertThat(docs.getFirst().path("spec").has("maxOrphans")).isFalse();
    assertThat(docs.getFirst().path("spec").path("priority").asInt()).isEqualTo(1);
  }

  @Test
  void aProfileThatSetsTheFieldNowIsOutrankedByOnePriority() {
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            List.of(at("n1", owned("finTimeoutSeconds", "30", "base"))),
            NO_PODS,
            Map.of("base", 7));
    var proposal = result.proposals().getFirst();
    assertThat(proposal.profile().getSpec().priority()).isEqualTo(8);
    assertThat(proposal.comments()).anyMatch(c -> c.contains("Priority 8 wins over base"));
    assertThat(proposal.comments()).anyMatch(c -> c.contains("(set by profile base)"));
  }

  @Test
  void podAdviceSelectsThePodsByTheLabelsTheyShareLeavingVolatileOnesOut() throws Exception {
    Map<String, Map<String, String>> labels =
        Map.of(
            "shop/web-1",
            Map.of("app", "web", "version", "v1", "pod-template-hash", "abc"),
            "shop/web-2",
            Map.of("app", "web", "version", "v2", "pod-template-hash", "def"),
            "cart/web-3",
            Map.of("app", "web", "version", "v1", "team", "x"));
    AdviceProfiles.PodLabels lookup = (ns, pod) -> Optional.ofNullable(labels.get(ns + "/" + pod));
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            List.of(
                at("n1", pod("shop", "web-1", "maxTwBuckets", "10000")),
                at(
                    "n2",
                    pod("shop", "web-2", "maxTwBuckets", "10000"),
                    pod("cart", "web-3", "maxTwBuckets", "10000"),
                    pod("gone", "old-1", "maxTwBuckets", "10000"))),
            lookup,
            Map.of());

    List<JsonNode> docs = documents(AdviceYaml.render(result));
    assertThat(docs).hasSize(1);
    JsonNode spec = docs.getFirst().path("spec");
    assertThat(spec.path("maxTwBuckets").asInt()).isEqualTo(10000);
    assertThat(values(spec.path("nodeSelector"))).containsExactly("n1", "n2");
    assertThat(values(spec.path("pods").path("namespaceSelector"))).containsExactly("cart", "shop");
    ProfilePods pods = result.proposals().getFirst().profile().getSpec().pods();
    assertThat(pods.podSelector())
        .isEqualTo(
            new NodeSelector(
                Map.of("app", "web"),
                List.of(new NodeSelectorRequirement("version", "In", List.of("v1", "v2")))));
    assertThat(result.notes())
        .singleElement()
        .asString()
        .contains("gone/old-1")
        .contains("not found");
    assertThat(docs.getFirst().path("metadata").path("name").asText())
        .startsWith("advice-pods-maxtwbuckets-10000-");
  }

  @Test
  void podsThatShareNoLabelKeyAreSplitByTheKeysTheyCarry() {
    Map<String, Map<String, String>> labels =
        Map.of(
            "a/p1", Map.of("app", "one"),
            "a/p2", Map.of("app", "two"),
            "a/p3", Map.of("component", "db"),
            "a/p4", Map.of());
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            List.of(
                at(
                    "n1",
                    pod("a", "p1", "finTimeoutSeconds", "30"),
                    pod("a", "p2", "finTimeoutSeconds", "30"),
                    pod("a", "p3", "finTimeoutSeconds", "30"),
                    pod("a", "p4", "finTimeoutSeconds", "30"))),
            (ns, pod) -> Optional.ofNullable(labels.get(ns + "/" + pod)),
            Map.of());

    assertThat(result.proposals())
        .extracting(p -> p.profile().getSpec().pods().podSelector())
        .containsExactly(
            null,
            new NodeSelector(
                null, List.of(new NodeSelectorRequirement("app", "In", List.of("one", "two")))),
            new NodeSelector(Map.of("component", "db"), null));
    assertThat(result.proposals().getFirst().comments())
        .anyMatch(c -> c.contains("selects every pod of their namespace(s)"));
  }

  @Test
  void podsPastSixteenValuesOfALabelAreSplit() {
    List<AdviceEntry> entries = new ArrayList<>();
    Map<String, Map<String, String>> labels = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      entries.add(pod("ns", "p" + i, "orphanRetries", "2"));
      labels.put("ns/p" + i, Map.of("app", "x", "instance", "i" + i));
    }
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            List.of(at("n1", entries.toArray(AdviceEntry[]::new))),
            (ns, pod) -> Optional.ofNullable(labels.get(ns + "/" + pod)),
            Map.of());

    assertThat(result.proposals()).hasSize(2);
    assertThat(result.proposals())
        .allSatisfy(
            p ->
                assertThat(
                        p.profile()
                            .getSpec()
                            .pods()
                            .podSelector()
                            .matchExpressions()
                            .getFirst()
                            .values())
                    .hasSizeLessThanOrEqualTo(16));
    assertThat(
            result.proposals().stream()
                .mapToInt(
                    p ->
                        p.profile()
                            .getSpec()
                            .pods()
                            .podSelector()
                            .matchExpressions()
                            .getFirst()
                            .values()
                            .size())
                .sum())
        .isEqualTo(20);
  }

  @Test
  void adviceThatNoProfileCanHoldIsNamedInANoteNeverPrinted() {
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            List.of(
                at(
                    "n1",
                    node("tcpKeepalive", "1", "2", "X"),
                    node("twReuse", "Disabled", "Sometimes", "X"),
                    node("orphanRetries", "0", "99999999999", "X"),
                    pod("ns", "p", "maxOrphans", "4096"),
                    new AdviceEntry(
                        "Elsewhere",
                        null,
                        null,
                        "orphanRetries",
                        "0",
                        "2",
                        "X",
                        "m",
                        SINCE,
                        null))),
            NO_PODS,
            Map.of());

    assertThat(result.proposals()).isEmpty();
    assertThat(result.notes()).hasSize(5);
    assertThat(AdviceYaml.render(result)).startsWith(AdviceYaml.NOTHING);
  }

  @Test
  void aValueTheValidationPathRefusesIsNotPrintedAndMarksTheResultRefused() {
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            List.of(at("n1", node("maxTwBuckets", "5000", "1", "TimeWaitTableFull"))),
            NO_PODS,
            Map.of());

    assertThat(result.refused()).isTrue();
    assertThat(result.proposals()).isEmpty();
    assertThat(result.notes())
        .singleElement()
        .asString()
        .contains("refuses it")
        .contains("maxTwBuckets");
  }

  @Test
  void nothingToAdviseIsOneComment() {
    assertThat(AdviceYaml.render(AdviceProfiles.advise(List.of(at("n1")), NO_PODS, Map.of())))
        .isEqualTo(AdviceYaml.NOTHING + "\n");
  }

  private static TcpTeardownProfile existing(String name, TcpTeardownProfileSpec spec) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withLabels(Map.of("team", "net"))
            .withAnnotations(
                Map.of(
                    "kubectl.kubernetes.io/last-applied-configuration", "{}",
                    "owner", "me"))
            .withResourceVersion("42")
            .build());
    profile.setSpec(spec);
    return profile;
  }

  /**
   * Label values a YAML 1.1 reader takes for something else when bare (a float, an int with
   * underscores, a timestamp, a boolean, null): the printed profile keeps each a string, so that
   * {@code validate} and {@code kubectl apply} read what the cluster holds. A run's random label
   * {@code 12345e67} once made the printed profile fail {@code validate}.
   */
  @Test
  void labelValuesThatReadAsNumbersDatesOrBooleansArePrintedAsStrings() throws Exception {
    List<String> values =
        List.of(
            "12345e67",
            "1e3",
            "1E3",
            "1.5e3",
            "1_000",
            "0x1F",
            "0o17",
            "017",
            "12",
            "1.5",
            "2026-12-07",
            "true",
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "null",
            "abc");
    // A selector holds at most 16 labels: two profiles.
    for (int from = 0; from < values.size(); from += 10) {
      printedLabelsReadBackAsStrings(values.subList(from, Math.min(values.size(), from + 10)));
    }
  }

  private static void printedLabelsReadBackAsStrings(List<String> values) throws Exception {
    Map<String, String> labels = new java.util.TreeMap<>();
    for (int i = 0; i < values.size(); i++) {
      labels.put("k" + i, values.get(i));
    }
    TcpTeardownProfile base =
        existing(
            "base",
            new TcpTeardownProfileSpec(
                new NodeSelector(labels, null), null, null, 60, null, null, null, null, null));
    List<NodeAdvice> nodes =
        List.of(new NodeAdvice("a1", labels, List.of(owned("finTimeoutSeconds", "30", "base"))));

    String text = AdviceYaml.render(AdviceProfiles.forProfile(base, nodes));

    List<JsonNode> docs = documents(text);
    assertThat(docs).as(text).hasSize(1);
    JsonNode read = docs.getFirst().path("spec").path("nodeSelector").path("matchLabels");
    for (Map.Entry<String, String> label : labels.entrySet()) {
      assertThat(read.path(label.getKey()).isTextual()).as(label + " in\n" + text).isTrue();
      assertThat(read.path(label.getKey()).asText()).isEqualTo(label.getValue());
    }
  }

  @Test
  void forProfileChangesTheAdvisedFieldsOfTheNodesItSelectsAndKeepsTheRest() throws Exception {
    NodeSelector poolA = new NodeSelector(Map.of("pool", "a"), null);
    TcpTeardownProfile base =
        existing(
            "base",
            new TcpTeardownProfileSpec(
                poolA, 3, null, 60, null, 5000, TwReuse.Disabled, null, null));
    List<NodeAdvice> nodes =
        List.of(
            new NodeAdvice(
                "a1",
                Map.of("pool", "a"),
                List.of(
                    owned("finTimeoutSeconds", "30", "base"),
                    owned("maxTwBuckets", "10000", "base"),
                    node("orphanRetries", "0", "2", "UnansweredFins"))),
            new NodeAdvice(
                "a2",
                Map.of("pool", "a"),
                List.of(
                    owned("finTimeoutSeconds", "30", "base"),
                    owned("maxTwBuckets", "20000", "base"),
                    owned("twReuse", "Enabled", "other"),
                    pod("ns", "p", "finTimeoutSeconds", "20"))),
            new NodeAdvice(
                "b1", Map.of("pool", "b"), List.of(node("finTimeoutSeconds", "60", "10", "X"))));

    AdviceProfiles.Result result = AdviceProfiles.forProfile(base, nodes);

    assertThat(result.refused()).isFalse();
    assertThat(result.proposals()).hasSize(1);
    TcpTeardownProfileSpec edited = result.proposals().getFirst().profile().getSpec();
    assertThat(edited)
        .isEqualTo(
            new TcpTeardownProfileSpec(poolA, 3, 2, 30, null, 10000, TwReuse.Disabled, null, null));
    assertThat(result.notes())
        .anyMatch(n -> n.contains("twReuse is set there by profile other"))
        .anyMatch(n -> n.contains("maxTwBuckets 20000 is advised instead for [a2]"))
        .anyMatch(n -> n.contains("ns/p on a2") && n.contains("has no spec.pods"))
        .noneMatch(n -> n.contains("b1"));
    List<JsonNode> docs = documents(AdviceYaml.render(result));
    JsonNode metadata = docs.getFirst().path("metadata");
    assertThat(metadata.path("name").asText()).isEqualTo("base");
    assertThat(metadata.path("labels").path("team").asText()).isEqualTo("net");
    assertThat(metadata.path("annotations").size()).isEqualTo(1);
    assertThat(metadata.has("resourceVersion")).isFalse();
    assertThat(result.proposals().getFirst().comments())
        .anyMatch(c -> c.startsWith("finTimeoutSeconds: 60 -> 30"))
        .anyMatch(c -> c.startsWith("orphanRetries: (not set) -> 2"));
  }

  @Test
  void forProfileWithNoAdviceOnItsNodesPrintsNothing() {
    TcpTeardownProfile base =
        existing(
            "base",
            new TcpTeardownProfileSpec(
                new NodeSelector(Map.of("pool", "a"), null),
                null,
                null,
                60,
                null,
                null,
                null,
                null,
                null));
    AdviceProfiles.Result result =
        AdviceProfiles.forProfile(
            base,
            List.of(
                new NodeAdvice(
                    "b1",
                    Map.of("pool", "b"),
                    List.of(node("finTimeoutSeconds", "60", "30", "X")))));
    assertThat(result.proposals()).isEmpty();
    assertThat(result.refused()).isFalse();
  }

  @Test
  void forProfileKeepsFieldsNoAdviceIsAboutAndTakesPodAdviceWhenItHasPodRules() {
    TcpTeardownProfile base =
        existing(
            "base",
            new TcpTeardownProfileSpec(
                null,
                null,
                null,
                60,
                null,
                null,
                null,
                null,
                null,
                new ProfilePods(null, null, null),
                16384));
    AdviceProfiles.Result result =
        AdviceProfiles.forProfile(
            base, List.of(at("n1", pod("ns", "p", "finTimeoutSeconds", "30"))));

    assertThat(result.proposals()).hasSize(1);
    TcpTeardownProfileSpec edited = result.proposals().getFirst().profile().getSpec();
    assertThat(edited.finTimeoutSeconds()).isEqualTo(30);
    assertThat(edited.childEhashEntries()).isEqualTo(16384);
    assertThat(edited.pods()).isEqualTo(base.getSpec().pods());
    assertThat(result.notes()).isEmpty();
  }

  @Test
  void aPodIsNeverAdvisedAFieldThatIsTheNodes() {
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            List.of(at("n1", pod("ns", "p", "childEhashEntries", "16384"))),
            (ns, p) -> Optional.of(Map.of("app", "x")),
            Map.of());
    assertThat(result.proposals()).isEmpty();
    assertThat(result.notes())
        .singleElement()
        .asString()
        .contains("childEhashEntries is the node's");
  }

  /**
   * 4,000 pods on 250 nodes, one workload: every pod is selected by exactly one part, each part
   * within every selector bound and accepted by the validation path; the parts are filled as they
   * grow (no quadratic pass over the group).
   */
  @Test
  @org.junit.jupiter.api.Timeout(60)
  void aLargeGroupIsSplitIntoPartsWithinEveryBoundThatCoverEachPodOnce() {
    List<NodeAdvice> nodes = new ArrayList<>();
    Map<String, Map<String, String>> labels = new HashMap<>();
    for (int n = 0; n < 250; n++) {
      List<AdviceEntry> entries = new ArrayList<>();
      for (int p = 0; p < 16; p++) {
        String ns = "ns-" + (p % 20);
        String pod = "web-" + n + "-" + p;
        entries.add(pod(ns, pod, "orphanRetries", "3"));
        labels.put(ns + "/" + pod, Map.of("app", "web", "shard", "s" + (n % 40)));
      }
      nodes.add(at("node-" + n, entries.toArray(AdviceEntry[]::new)));
    }
    AdviceProfiles.Result result =
        AdviceProfiles.advise(
            nodes, (ns, pod) -> Optional.ofNullable(labels.get(ns + "/" + pod)), Map.of());

    assertThat(result.refused()).isFalse();
    assertThat(result.notes()).isEmpty();
    int members = 0;
    for (AdviceProfiles.Proposal proposal : result.proposals()) {
      TcpTeardownProfileSpec spec = proposal.profile().getSpec();
      assertThat(spec.nodeSelector().matchExpressions().getFirst().values())
          .hasSizeLessThanOrEqualTo(16);
      assertThat(spec.pods().namespaceSelector().matchExpressions().getFirst().values())
          .hasSizeLessThanOrEqualTo(16);
      NodeSelector pods = spec.pods().podSelector();
      if (pods.matchExpressions() != null) {
        pods.matchExpressions().forEach(e -> assertThat(e.values()).hasSizeLessThanOrEqualTo(16));
      }
      var count =
          java.util.regex.Pattern.compile("of (\\d+) pod\\(s\\)")
              .matcher(proposal.comments().getFirst());
      assertThat(count.find()).as(proposal.comments().getFirst()).isTrue();
      members += Integer.parseInt(count.group(1));
    }
    assertThat(members).as("each pod in one part").isEqualTo(4000);
    for (Map.Entry<String, Map<String, String>> pod : labels.entrySet()) {
      String ns = pod.getKey().substring(0, pod.getKey().indexOf('/'));
      String node = "node-" + pod.getKey().split("-")[2];
      assertThat(result.proposals())
          .as(pod.getKey())
          .anyMatch(
              proposal -> {
                TcpTeardownProfileSpec spec = proposal.profile().getSpec();
                return LabelSelectors.matches(
                        spec.nodeSelector(), Map.of(AdviceProfiles.HOSTNAME_LABEL, node))
                    && LabelSelectors.matches(
                        spec.pods().namespaceSelector(), Map.of(AdviceProfiles.NAMESPACE_LABEL, ns))
                    && LabelSelectors.matches(spec.pods().podSelector(), pod.getValue());
              });
    }
    assertThat(result.proposals().size()).isGreaterThan(1);
  }

  private static AdviceEntry ownedPod(String ns, String name, String profile) {
    return new AdviceEntry(
        AdviceEntry.SCOPE_POD,
        ns,
        name,
        "maxTwBuckets",
        "5000",
        "10000",
        "TimeWaitTableFull",
        "m",
        SINCE,
        profile);
  }

  @Test
  void podAdviceNamingTheProfileWhosePodRuleSetsTheFieldOutranksItOrIsLeftToItsEdit() {
    AdviceProfiles.PodLabels labels = (ns, pod) -> Optional.of(Map.of("app", "web"));
    AdviceProfiles.Result advised =
        AdviceProfiles.advise(
            List.of(at("n1", ownedPod("shop", "web-1", "pods-base"))),
            labels,
            Map.of("pods-base", 4));
    assertThat(advised.proposals()).singleElement();
    assertThat(advised.proposals().getFirst().profile().getSpec().priority()).isEqualTo(5);
    assertThat(advised.proposals().getFirst().comments())
        .anyMatch(c -> c.contains("Priority 5 wins over pods-base"));

    TcpTeardownProfile other =
        existing(
            "other",
            new TcpTeardownProfileSpec(
                null,
                null,
                null,
                null,
                null,
                5000,
                null,
                null,
                null,
                new ProfilePods(null, null, null),
                null));
    AdviceProfiles.Result edit =
        AdviceProfiles.forProfile(other, List.of(at("n1", ownedPod("shop", "web-1", "pods-base"))));
    assertThat(edit.proposals()).isEmpty();
    assertThat(edit.notes())
        .singleElement()
        .asString()
        .contains("set there by profile pods-base's pod rule")
        .contains("--for-profile pods-base");
  }
}
