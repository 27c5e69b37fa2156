package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.LabelSelectors;
import io.tcpteardown.rules.advice.AdviceProfiles;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.PodObjects;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcp-teardown advise} against a real API server: TcpTeardownNodes whose status holds
 * advice, a Pod the advice names; the command's output passes {@code validate} as printed, selects
 * exactly the nodes and the pod concerned, and the API server takes every profile it printed.
 */
@ApiTest
class AdviseCommandApiTest {
  private static final String NAMESPACE = "default";
  private static final String SINCE = "2026-12-07T10:00:00Z";

  private static KubernetesClient client;
  private static String previousKubeconfig;
  private static Path kubeconfigDir;
  private static Path kubeconfig;

  private ClusterFixtures fixtures;
  private final List<String> created = new ArrayList<>();

  @BeforeAll
  static void cluster(@TempDir Path dir) throws Exception {
    client = TestCluster.client();
    kubeconfigDir = dir;
    kubeconfig = kubeconfigDir.resolve("kubeconfig");
    Files.writeString(kubeconfig, TestCluster.kubeconfig());
    previousKubeconfig = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
  }

  @AfterAll
  static void restore() {
    if (previousKubeconfig == null) {
      System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    } else {
      System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previousKubeconfig);
    }
    client.close();
  }

  @BeforeEach
  void fixtures() {
    fixtures = new ClusterFixtures(client);
  }

  @AfterEach
  void cleanUp() {
    created.forEach(n -> client.resources(TcpTeardownProfile.class).withName(n).delete());
    client
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel(ClusterFixtures.RUN_LABEL, fixtures.run())
        .delete();
    fixtures.close();
  }

  /** A Node (hostname label as the kubelet sets it) and its TcpTeardownNode holding advice. */
  private String nodeWithAdvice(String base, Map<String, String> labels, AdviceEntry... advice) {
    String name = fixtures.name(base);
    Map<String, String> all = new HashMap<>(labels);
    all.put(AdviceProfiles.HOSTNAME_LABEL, name);
    fixtures.node(base, "8Gi", all);
    TcpTeardownNode object = new TcpTeardownNode();
    object.setMetadata(new ObjectMetaBuilder().withName(name).build());
    object.setSpec(TcpTeardownNodeSpec.of(TeardownSettings.NONE, Map.of(), List.of(), List.of()));
    TcpTeardownNode node = client.resource(object).create();
    node.setStatus(
        new TcpTeardownNodeStatus(1L, Map.of(), Map.of(), null, null, 0L, List.of(), null, null)
            .withAdvice(List.of(advice), advice.length));
    client.resource(node).updateStatus();
    return name;
  }

  private static AdviceEntry fin(String profile) {
    return new AdviceEntry(
        AdviceEntry.SCOPE_HOST_NETWORK,
        null,
        null,
        "finTimeoutSeconds",
        "60",
        "30",
        "OrphansInFinWait2",
        "300 orphans wait in FIN_WAIT2 for a FIN that does not come",
        SINCE,
        profile);
  }

  private static AdviceEntry podTable(String pod) {
    return new AdviceEntry(
        AdviceEntry.SCOPE_POD,
        NAMESPACE,
        pod,
        "maxTwBuckets",
        "5000",
        "10000",
        "TimeWaitTableFull",
        "4800 TIME_WAIT and orphaned FIN_WAIT2 mini-sockets against tcp_max_tw_buckets 5000",
        SINCE,
        null);
  }

  private static List<JsonNode> documents(String text) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    var it = new YAMLMapper().readValues(new YAMLFactory().createParser(text), JsonNode.class);
    while (it.hasNextValue()) {
      JsonNode doc = it.nextValue();
      if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
        docs.add(doc);
      }
    }
    return docs;
  }

  private static TcpTeardownProfileSpec spec(JsonNode doc) throws Exception {
    return new YAMLMapper().treeToValue(doc.path("spec"), TcpTeardownProfileSpec.class);
  }

  /** The documents of this run: those whose nodeSelector names one of its nodes. */
  private List<JsonNode> ours(List<JsonNode> docs) {
    return docs.stream()
        .filter(d -> d.path("spec").path("nodeSelector").toString().contains(fixtures.run()))
        .toList();
  }

  @Test
  void printsProfilesThatPassValidateSelectExactlyTheNodesAndPodsAndApply() throws Exception {
    String pod = "web-" + fixtures.run();
    Map<String, String> podLabels =
        Map.of(
            "app", "web", "pod-template-hash", "5d9f", ClusterFixtures.RUN_LABEL, fixtures.run());
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(PodObjects.boundTo(fixtures.name("b"), NAMESPACE, pod, podLabels).build())
        .create();
    String a = nodeWithAdvice("a", Map.of(), fin(null));
    String b = nodeWithAdvice("b", Map.of(), fin(null), podTable(pod));
    String c = nodeWithAdvice("c", Map.of());

    CliRun run = CliRun.of("advise");

    assertThat(run.exit()).as(run.err()).isZero();
    CliRun validate = CliRun.withInput(run.out(), "validate", "-f", "-");
    assertThat(validate.exit()).as(validate.out() + validate.err()).isZero();
    List<JsonNode> docs = ours(documents(run.out()));
    assertThat(docs).hasSize(2);

    TcpTeardownProfileSpec nodes = spec(docs.get(0));
    assertThat(nodes.finTimeoutSeconds()).isEqualTo(30);
    assertThat(nodes.pods()).isNull();
    Map<String, Map<String, String>> labels = new HashMap<>();
    for (String n : List.of(a, b, c)) {
      labels.put(n, client.nodes().withName(n).get().getMetadata().getLabels());
    }
    assertThat(selected(nodes.nodeSelector(), labels)).containsExactlyInAnyOrder(a, b);
    assertThat(run.out())
        .contains("# - " + a + ": OrphansInFinWait2; current 60; since " + SINCE)
        .contains("300 orphans wait in FIN_WAIT2");

    TcpTeardownProfileSpec pods = spec(docs.get(1));
    assertThat(pods.maxTwBuckets()).isEqualTo(10000);
    assertThat(selected(pods.nodeSelector(), labels)).containsExactly(b);
    assertThat(pods.pods().podSelector().matchLabels())
        .containsEntry("app", "web")
        .doesNotContainKey("pod-template-hash");
    assertThat(
            LabelSelectors.matches(
                pods.pods().podSelector(),
                client.pods().inNamespace(NAMESPACE).withName(pod).get().getMetadata().getLabels()))
        .isTrue();
    assertThat(
            LabelSelectors.matches(
                pods.pods().namespaceSelector(), Map.of(AdviceProfiles.NAMESPACE_LABEL, NAMESPACE)))
        .isTrue();

    // kubectl apply takes this run's documents as printed, comments included.
    Path file = kubeconfigDir.resolve("advice.yaml");
    Files.writeString(
        file,
        java.util.Arrays.stream(run.out().split("(?m)^---\\n"))
            .filter(chunk -> chunk.contains("-" + fixtures.run() + "\n"))
            .filter(chunk -> chunk.contains("kind: TcpTeardownProfile"))
            .map(chunk -> "---\n" + chunk)
            .collect(java.util.stream.Collectors.joining()));
    for (JsonNode doc : docs) {
      created.add(doc.path("metadata").path("name").asText());
    }
    Process kubectl =
        new ProcessBuilder(
                "kubectl", "--kubeconfig", kubeconfig.toString(), "apply", "-f", file.toString())
            .redirectErrorStream(true)
            .start();
    String applied = new String(kubectl.getInputStream().readAllBytes());
    assertThat(kubectl.waitFor()).as(applied).isZero();
    for (JsonNode doc : docs) {
      TcpTeardownProfile profile = new YAMLMapper().treeToValue(doc, TcpTeardownProfile.class);
      assertThat(applied)
          .contains(
              "tcpteardownprofile.tcpteardown.io/" + profile.getMetadata().getName() + " created");
      TcpTeardownProfileSpec stored =
          client
              .resources(TcpTeardownProfile.class)
              .withName(profile.getMetadata().getName())
              .get()
              .getSpec();
      assertThat(stored.settings()).isEqualTo(profile.getSpec().settings());
      assertThat(stored.nodeSelector()).isEqualTo(profile.getSpec().nodeSelector());
      assertThat(stored.pods()).isEqualTo(profile.getSpec().pods());
    }
  }

  @Test
  void forProfilePrintsTheWholeProfileWithTheAdvisedFieldChanged() throws Exception {
    TcpTeardownProfile base =
        fixtures.profile(
            "base",
            Map.of("pool", "a"),
            new TcpTeardownProfileSpec(null, 2, null, 60, null, null, null, null, null));
    String name = base.getMetadata().getName();
    nodeWithAdvice("a1", Map.of("pool", "a"), fin(name));
    nodeWithAdvice("b1", Map.of("pool", "b"), fin(null));

    CliRun run = CliRun.of("advise", "--for-profile", name);

    assertThat(run.exit()).as(run.err()).isZero();
    CliRun validated = CliRun.withInput(run.out(), "validate", "-f", "-");
    assertThat(validated.exit()).as(run.out() + validated.out() + validated.err()).isZero();
    List<JsonNode> docs = documents(run.out());
    assertThat(docs).hasSize(1);
    assertThat(docs.getFirst().path("metadata").path("name").asText()).isEqualTo(name);
    TcpTeardownProfileSpec edited = spec(docs.getFirst());
    assertThat(edited)
        .isEqualTo(
            new TcpTeardownProfileSpec(
                base.getSpec().nodeSelector(), 2, null, 30, null, null, null, null, null));
    assertThat(run.out()).contains("finTimeoutSeconds: 60 -> 30, advised for 1 namespace(s)");

    // Applied over the stored profile, it changes the field and nothing else.
    TcpTeardownProfile stored = client.resources(TcpTeardownProfile.class).withName(name).get();
    stored.setSpec(edited);
    assertThat(client.resource(stored).update().getSpec().finTimeoutSeconds()).isEqualTo(30);
  }

  @Test
  void forProfileOfNoProfileIsRefusedAndNothingToAdviseIsSaid() {
    CliRun missing = CliRun.of("advise", "--for-profile", fixtures.name("absent"));
    assertThat(missing.exit()).isEqualTo(ExitCodes.REJECTED);
    assertThat(missing.err()).contains("there is no TcpTeardownProfile of that name");

    TcpTeardownProfile quiet =
        fixtures.profile(
            "quiet",
            Map.of("pool", "q"),
            new TcpTeardownProfileSpec(null, null, null, 60, null, null, null, null, null));
    nodeWithAdvice("q1", Map.of("pool", "q"));
    CliRun none = CliRun.of("advise", "--for-profile", quiet.getMetadata().getName());
    assertThat(none.exit()).as(none.err()).isZero();
    assertThat(none.out()).startsWith("# No advice");
  }

  private static List<String> selected(
      NodeSelector selector, Map<String, Map<String, String>> nodes) {
    return nodes.entrySet().stream()
        .filter(e -> LabelSelectors.matches(selector, e.getValue()))
        .map(Map.Entry::getKey)
        .toList();
  }
}
