package io.tcpteardown.operator;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ProfileNodeEntry;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.RunningOperator;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator in this JVM against a real kube-apiserver; the tests play the node agents' part. */
@ApiTest
class OperatorApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension static final RunningOperator running = new RunningOperator();

  private static KubernetesClient client() {
    return running.client();
  }

  private static ClusterFixtures fixtures() {
    return running.fixtures();
  }

  @Test
  void bothCrdsAreInstalledAndTheSchemaRefusesWrongTypesAndRanges() {
    assertThat(client().apiextensions().v1().customResourceDefinitions().list().getItems())
        .extracting(crd -> crd.getMetadata().getName())
        .contains("tcpteardownprofiles.tcpteardown.io", "tcpteardownnodes.tcpteardown.io");

    assertThatThrownBy(
            () -> client().resource(rawProfile(Map.of("finTimeoutSeconds", "sixty"))).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.finTimeoutSeconds");
    assertThatThrownBy(
            () -> client().resource(rawProfile(Map.of("finTimeoutSeconds", 500))).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.finTimeoutSeconds")
        .hasMessageContaining("120");
    assertThatThrownBy(() -> client().resource(rawProfile(Map.of("maxTwBuckets", 100))).create())
        .hasMessageContaining("spec.maxTwBuckets");
    assertThatThrownBy(() -> client().resource(rawProfile(Map.of("twReuse", "Sometimes"))).create())
        .hasMessageContaining("spec.twReuse");
    assertThatThrownBy(() -> client().resource(rawProfile(Map.of("priority", 1001))).create())
        .hasMessageContaining("spec.priority");
  }

  @Test
  void unknownFieldsAreRefusedAtApplyNotDropped() throws Exception {
    Path kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    Path manifest = Files.createTempFile("profile", ".yaml");
    try {
      Files.writeString(kubeconfig, TestCluster.kubeconfig());
      Files.writeString(
          manifest,
          """
          apiVersion: tcpteardown.io/v1alpha1
          kind: TcpTeardownProfile
          metadata:
            name: %s
            labels:
              %s: %s
          spec:
            finTimeout: 30
          """
              .formatted(
                  fixtures().name("unknown-field"), ClusterFixtures.RUN_LABEL, fixtures().run()));
      // kubectl validates against the schema the server publishes, which follows a new CRD by a few
      // seconds.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  kubectl(kubeconfig, "explain", "tcpteardownprofile.spec.finTimeoutSeconds")
                          .exitCode()
                      == 0);
      KubectlResult apply =
          kubectl(kubeconfig, "apply", "--validate=strict", "-f", manifest.toString());
      assertThat(apply.exitCode()).as(apply.output()).isNotZero();
      assertThat(apply.output()).contains("unknown field \"finTimeout\"");
      assertThat(fixtures().getProfile("unknown-field")).isNull();
    } finally {
      Files.deleteIfExists(kubeconfig);
      Files.deleteIfExists(manifest);
    }
  }

  @Test
  void rejectedProfilesGetAcceptedFalseAndReachNoNode() {
    fixtures().node("n1", "8Gi", Map.of());
    fixtures().profile("recycle", Map.of(), spec().twRecycle(true).finTimeoutSeconds(30).build());
    fixtures()
        .profile(
            "reuse",
            Map.of(),
            spec()
                .twReuse(TwReuse.Enabled)
                .timestamps(Timestamps.Disabled)
                .maxTwBuckets(100000)
                .build());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition recycle = condition(fixtures().getProfile("recycle"), "Accepted");
              assertThat(recycle.getStatus()).isEqualTo("False");
              assertThat(recycle.getReason()).isEqualTo("TwRecycleRemoved");
              assertThat(recycle.getMessage())
                  .contains("spec.twRecycle: true is rejected", "Linux 4.12", "NAT", "twReuse");
              Condition reuse = condition(fixtures().getProfile("reuse"), "Accepted");
              assertThat(reuse.getStatus()).isEqualTo("False");
              assertThat(reuse.getMessage())
                  .contains("spec.twReuse: Enabled together with spec.timestamps: Disabled");
              assertThat(condition(fixtures().getProfile("reuse"), "Applied").getReason())
                  .isEqualTo("NotAccepted");
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownNode node = fixtures().getNodeObject("n1");
              assertThat(node).isNotNull();
              assertThat(node.getSpec().settings().isEmpty()).isTrue();
              assertThat(node.getSpec().profiles()).isEmpty();
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client().v1().events().inNamespace("default").list().getItems())
                    .anyMatch(
                        e ->
                            e.getReason().equals("Rejected")
                                && e.getInvolvedObject()
                                    .getName()
                                    .equals(fixtures().name("recycle"))));
  }

  @Test
  void overlappingProfilesMergeByPriorityAndFollowLabelsAndDeletion() {
    fixtures().node("web-big", "64Gi", Map.of("tier", "web"));
    fixtures().node("web-mid", "8Gi", Map.of("tier", "web"));
    fixtures().node("db", "8Gi", Map.of("tier", "db"));
    fixtures().node("small", "1Gi", Map.of("tier", "web"));
    fixtures().node("batch", "16Gi", Map.of("tier", "batch"));
    fixtures()
        .profile(
            "web",
            Map.of("tier", "web"),
            spec()
                .priority(10)
                .finTimeoutSeconds(15)
                .maxTwBuckets(262144)
                .maxOrphans(65536)
                .twReuse(TwReuse.Enabled)
                .timestamps(Timestamps.Enabled)
                .build());
    fixtures()
        .profile(
            "base",
            Map.of(),
            spec().finTimeoutSeconds(60).orphanRetries(2).maxOrphans(32768).build());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              // 64 GiB: 65536 orphans x 64 KiB = 4 GiB fits in 25% (16 GiB), so web's value wins.
              assertSpec("web-big", 2, 15, 65536, 262144, TwReuse.Enabled, Timestamps.Enabled);
              assertThat(fixtures().getNodeObject("web-big").getSpec().sources())
                  .containsEntry("finTimeoutSeconds", fixtures().name("web"))
                  .containsEntry("orphanRetries", fixtures().name("base"));
              // 8 GiB: web's 4 GiB of orphans is held back; base's 32768 (2 GiB) is exactly 25% and
              // fits.
              assertSpec("web-mid", 2, 15, 32768, 262144, TwReuse.Enabled, Timestamps.Enabled);
              assertSpec("db", 2, 60, 32768, null, null, null);
              // 1 GiB: neither maxOrphans fits.
              assertSpec("small", 2, 15, null, 262144, TwReuse.Enabled, Timestamps.Enabled);
              assertThat(fixtures().getNodeObject("small").getSpec().heldBack())
                  .extracting(h -> h.field() + "/" + h.profile())
                  .containsExactly(
                      "maxOrphans/" + fixtures().name("web"),
                      "maxOrphans/" + fixtures().name("base"));
              assertSpec("batch", 2, 60, 32768, null, null, null);
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownProfile web = fixtures().getProfile("web");
              assertThat(web.getStatus().selectedNodes()).isEqualTo(3);
              assertThat(condition(web, "HeldBack").getStatus()).isEqualTo("True");
              assertThat(condition(web, "HeldBack").getMessage())
                  .contains(fixtures().name("small"), "maxOrphans: 65536");
              assertThat(web.getStatus().nodes())
                  .extracting(ProfileNodeEntry::name)
                  .containsExactly(
                      fixtures().name("small"),
                      fixtures().name("web-big"),
                      fixtures().name("web-mid"));
              assertThat(web.getStatus().nodes().get(0).heldBack()).contains("held back");
              assertThat(fixtures().getProfile("base").getStatus().selectedNodes()).isEqualTo(5);
            });

    fixtures().relabel("web-mid", "tier", "db");
    await().atMost(WAIT).untilAsserted(() -> assertSpec("web-mid", 2, 60, 32768, null, null, null));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(fixtures().getProfile("web").getStatus().nodes())
                    .extracting(ProfileNodeEntry::name)
                    .containsExactly(fixtures().name("small"), fixtures().name("web-big")));

    fixtures().deleteProfile("web");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertSpec("web-big", 2, 60, 32768, null, null, null);
              assertSpec("small", 2, 60, null, null, null, null);
              assertThat(fixtures().getNodeObject("web-big").getSpec().profiles())
                  .containsExactly(fixtures().name("base"));
            });

    fixtures().deleteProfile("base");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownNode node = fixtures().getNodeObject("batch");
              assertThat(node.getSpec().settings().isEmpty()).isTrue();
              assertThat(node.getMetadata().getOwnerReferences())
                  .singleElement()
                  .satisfies(
                      owner -> {
                        assertThat(owner.getKind()).isEqualTo("Node");
                        assertThat(owner.getName()).isEqualTo(fixtures().name("batch"));
                      });
              assertThat(node.getMetadata().getFinalizers()).isNullOrEmpty();
            });
  }

  @Test
  void aTcpTeardownNodeSpecEditedByHandIsPutBackButAStatusReportWritesNothing() {
    fixtures().node("edited", "8Gi", Map.of("tier", "web"));
    fixtures().profile("fin", Map.of("tier", "web"), spec().finTimeoutSeconds(30).build());
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertSpec("edited", null, 30, null, null, null, null));
    long generation = fixtures().getNodeObject("edited").getMetadata().getGeneration();

    reportStatus(
        "edited",
        Map.of("net.ipv4.tcp_fin_timeout", "30"),
        new StateCounts(0, 0, 5, 0, 0, 0, 0),
        null,
        "2026-11-26T12:00:00Z");
    long writesBefore = running.runtime().specWrites();
    client()
        .resources(TcpTeardownNode.class)
        .withName(fixtures().name("edited"))
        .edit(
            n -> {
              n.getSpec().sources().put("finTimeoutSeconds", "someone");
              return n;
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(fixtures().getNodeObject("edited").getSpec().sources())
                    .containsEntry("finTimeoutSeconds", fixtures().name("fin")));
    // The hand edit and the operator's answer: two spec generations, none for the report.
    assertThat(fixtures().getNodeObject("edited").getMetadata().getGeneration())
        .isEqualTo(generation + 2);
    // One spec write of the operator's, counted for its metrics.
    await().atMost(WAIT).until(() -> running.runtime().specWrites() - writesBefore >= 1);
    assertThat(running.runtime().specWrites() - writesBefore).isEqualTo(1);
  }

  @Test
  void equalPriorityClashGivesConflictOnBothProfiles() {
    fixtures().node("a", "8Gi", Map.of("role", "edge"));
    fixtures().node("b", "8Gi", Map.of("role", "edge"));
    fixtures().node("c", "8Gi", Map.of());
    fixtures()
        .profile("alpha", Map.of("role", "edge"), spec().priority(5).finTimeoutSeconds(20).build());
    fixtures()
        .profile(
            "beta", Map.of(), spec().priority(5).finTimeoutSeconds(40).orphanRetries(3).build());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition alpha = condition(fixtures().getProfile("alpha"), "Conflict");
              Condition beta = condition(fixtures().getProfile("beta"), "Conflict");
              assertThat(alpha.getStatus()).isEqualTo("True");
              assertThat(beta.getStatus()).isEqualTo("True");
              assertThat(alpha.getMessage())
                  .contains(fixtures().name("beta"), "finTimeoutSeconds", "on 2 nodes");
              assertThat(beta.getMessage())
                  .contains(
                      fixtures().name("alpha"),
                      "finTimeoutSeconds",
                      "on 2 nodes",
                      fixtures().name("alpha") + " wins");
              assertSpec("a", 3, 20, null, null, null, null);
              assertSpec("c", 3, 40, null, null, null, null);
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client().v1().events().inNamespace("default").list().getItems())
                    .anyMatch(
                        e ->
                            e.getReason().equals("Conflict")
                                && e.getInvolvedObject()
                                    .getName()
                                    .equals(fixtures().name("beta"))));

    fixtures().deleteProfile("alpha");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(condition(fixtures().getProfile("beta"), "Conflict").getStatus())
                    .isEqualTo("False"));
  }

  @Test
  void agentStatusesAggregateIntoTheProfileStatus() {
    fixtures().node("x", "8Gi", Map.of());
    fixtures().node("y", "8Gi", Map.of());
    fixtures().profile("p", Map.of(), spec().finTimeoutSeconds(30).maxTwBuckets(10000).build());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownProfile profile = fixtures().getProfile("p");
              assertThat(profile.getStatus().selectedNodes()).isEqualTo(2);
              assertThat(profile.getStatus().appliedNodes()).isZero();
              assertThat(condition(profile, "Applied").getStatus()).isEqualTo("False");
              assertThat(fixtures().getNodeObject("x").getSpec().finTimeoutSeconds()).isEqualTo(30);
              assertThat(fixtures().getNodeObject("y").getSpec().finTimeoutSeconds()).isEqualTo(30);
            });

    reportStatus(
        "x",
        Map.of("net.ipv4.tcp_fin_timeout", "30", "net.ipv4.tcp_max_tw_buckets", "10000"),
        new StateCounts(1, 2, 100, 4, 5, 6, 7),
        new KernelCounters(0, 0),
        "2026-01-01T00:00:00Z");
    reportStatus(
        "y",
        Map.of("net.ipv4.tcp_fin_timeout", "30", "net.ipv4.tcp_max_tw_buckets", "10000"),
        new StateCounts(10, 20, 300, 40, 50, 60, 70),
        new KernelCounters(5, 0),
        "2026-01-01T00:00:00Z");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownProfile profile = fixtures().getProfile("p");
              assertThat(profile.getStatus().appliedNodes()).isEqualTo(2);
              assertThat(condition(profile, "Applied").getStatus()).isEqualTo("True");
              assertThat(profile.getStatus().totals())
                  .isEqualTo(new StateCounts(11, 22, 400, 44, 55, 66, 77));
              assertThat(profile.getStatus().nodes())
                  .containsExactly(
                      new ProfileNodeEntry(fixtures().name("x"), true, 1, 2, 100, 4, 5, 6, 7, null),
                      new ProfileNodeEntry(
                          fixtures().name("y"), true, 10, 20, 300, 40, 50, 60, 70, null));
              assertThat(condition(profile, "TeardownPressure").getStatus()).isEqualTo("False");
              assertThat(profile.getStatus().observedGeneration())
                  .isEqualTo(profile.getMetadata().getGeneration());
            });
    String appliedSince = condition(fixtures().getProfile("p"), "Applied").getLastTransitionTime();

    // TIME_WAIT at 90% of tcp_max_tw_buckets on x; y's overflow counter rises between two reports.
    reportStatus(
        "x",
        Map.of("net.ipv4.tcp_fin_timeout", "30", "net.ipv4.tcp_max_tw_buckets", "10000"),
        new StateCounts(1, 2, 9000, 4, 5, 6, 7),
        new KernelCounters(0, 0),
        "2026-01-01T00:01:00Z");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition pressure = condition(fixtures().getProfile("p"), "TeardownPressure");
              assertThat(pressure.getStatus()).isEqualTo("True");
              assertThat(pressure.getMessage())
                  .contains(fixtures().name("x"), "TIME_WAIT 9000", "90%");
            });
    reportStatus(
        "x",
        Map.of("net.ipv4.tcp_fin_timeout", "30", "net.ipv4.tcp_max_tw_buckets", "10000"),
        new StateCounts(1, 2, 100, 4, 5, 6, 7),
        new KernelCounters(0, 0),
        "2026-01-01T00:02:00Z");
    reportStatus(
        "y",
        Map.of("net.ipv4.tcp_fin_timeout", "30", "net.ipv4.tcp_max_tw_buckets", "10000"),
        new StateCounts(10, 20, 300, 40, 50, 60, 70),
        new KernelCounters(9, 0),
        "2026-01-01T00:02:00Z");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition pressure = condition(fixtures().getProfile("p"), "TeardownPressure");
              assertThat(pressure.getStatus()).isEqualTo("True");
              assertThat(pressure.getMessage())
                  .contains(fixtures().name("y"), "TCPTimeWaitOverflow")
                  .doesNotContain(fixtures().name("x"));
            });
    assertThat(condition(fixtures().getProfile("p"), "Applied").getLastTransitionTime())
        .isEqualTo(appliedSince);

    // A node that reads back another value is no longer applied.
    reportStatus(
        "y",
        Map.of("net.ipv4.tcp_fin_timeout", "60", "net.ipv4.tcp_max_tw_buckets", "10000"),
        new StateCounts(10, 20, 300, 40, 50, 60, 70),
        new KernelCounters(9, 0),
        "2026-01-01T00:03:00Z");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownProfile profile = fixtures().getProfile("p");
              assertThat(profile.getStatus().appliedNodes()).isEqualTo(1);
              assertThat(condition(profile, "Applied").getMessage()).contains(fixtures().name("y"));
            });
  }

  private record KubectlResult(int exitCode, String output) {}

  private static KubectlResult kubectl(Path kubeconfig, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new KubectlResult(process.waitFor(), output);
  }

  private void reportStatus(
      String node,
      Map<String, String> applied,
      StateCounts states,
      KernelCounters counters,
      String reportTime) {
    TcpTeardownNode object = fixtures().getNodeObject(node);
    object.setStatus(
        new TcpTeardownNodeStatus(
            object.getMetadata().getGeneration(),
            applied,
            Map.of(),
            states,
            counters,
            0L,
            List.of(),
            null,
            reportTime));
    client().resource(object).updateStatus();
  }

  private void assertSpec(
      String node,
      Integer orphanRetries,
      Integer finTimeout,
      Integer maxOrphans,
      Integer maxTwBuckets,
      TwReuse twReuse,
      Timestamps timestamps) {
    TcpTeardownNode object = fixtures().getNodeObject(node);
    assertThat(object).as("TcpTeardownNode %s", fixtures().name(node)).isNotNull();
    TcpTeardownNodeSpec spec = object.getSpec();
    assertThat(spec.orphanRetries()).as("orphanRetries").isEqualTo(orphanRetries);
    assertThat(spec.finTimeoutSeconds()).as("finTimeoutSeconds").isEqualTo(finTimeout);
    assertThat(spec.maxOrphans()).as("maxOrphans").isEqualTo(maxOrphans);
    assertThat(spec.maxTwBuckets()).as("maxTwBuckets").isEqualTo(maxTwBuckets);
    assertThat(spec.twReuse()).as("twReuse").isEqualTo(twReuse);
    assertThat(spec.timestamps()).as("timestamps").isEqualTo(timestamps);
  }

  private static Condition condition(TcpTeardownProfile profile, String type) {
    assertThat(profile.getStatus()).as("status of %s", profile.getMetadata().getName()).isNotNull();
    return Conditions.find(profile.getStatus().conditions(), type).orElseThrow();
  }

  private GenericKubernetesResource rawProfile(Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("tcpteardown.io/v1alpha1")
        .withKind("TcpTeardownProfile")
        .withNewMetadata()
        .withName(fixtures().name("raw"))
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }
}
