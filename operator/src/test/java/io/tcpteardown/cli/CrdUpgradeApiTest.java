package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.operator.PressureTracker;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.testsupport.ProfileStatusOracle;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading the profile CRD to the tightened schema with a profile already stored that the new
 * schema refuses (a matchExpressions item without operator, which the 0.1.0 CRD admitted), on the
 * test API server (1.20, no validation ratcheting). It runs on a copy of the two CRDs in a group of
 * its own, so that the CRDs the other tests share stay as they are.
 *
 * <p>What it proves is what the README's upgrade note tells the user: the stranded object is still
 * served and read; the operator computes Accepted=False for it, naming the field; but its status
 * cannot be written until its spec is fixed (the server validates the whole object on a status
 * write); {@code validate} on {@code kubectl get ttp -o yaml} finds such profiles before or after
 * the upgrade; fixing the spec makes the status writable again.
 */
@ApiTest
class CrdUpgradeApiTest {
  private static final String GROUP = "upgrade-test.tcpteardown.io";
  private static final String CRD_NAME = "tcpteardownprofiles." + GROUP;
  private static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup(GROUP)
          .withVersion(TcpTeardownProfile.VERSION)
          .withPlural("tcpteardownprofiles")
          .withKind("TcpTeardownProfile")
          .withNamespaced(false)
          .build();

  private static KubernetesClient client;

  @TempDir Path dir;

  @BeforeAll
  static void installTheOldCrdAndStoreABrokenProfile() throws Exception {
    client = TestCluster.client();
    install(Files.readString(Path.of("src/test/resources/upgrade/tcpteardownprofiles-0.1.0.yml")));
    client.genericKubernetesResources(CONTEXT).resource(withoutOperator("stranded")).create();
    install(Files.readString(Path.of("../crds/tcpteardownprofiles.tcpteardown.io-v1.yml")));
    // The server serves a changed schema a moment after the update: wait until it refuses.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (createsBrokenProfileOnDryRun()) {
      assertThat(System.nanoTime()).as("new schema served within 30 s").isLessThan(deadline);
      sleep();
    }
  }

  /** A profile with a matchExpressions item without operator, as the 0.1.0 CRD admitted. */
  private static GenericKubernetesResource withoutOperator(String name) {
    return Serialization.unmarshal(
        """
        apiVersion: %s/v1alpha1
        kind: TcpTeardownProfile
        metadata:
          name: %s
        spec:
          finTimeoutSeconds: 30
          nodeSelector:
            matchExpressions:
            - key: tier
        """
            .formatted(GROUP, name),
        GenericKubernetesResource.class);
  }

  private static boolean createsBrokenProfileOnDryRun() {
    try {
      client
          .genericKubernetesResources(CONTEXT)
          .resource(withoutOperator("probe"))
          .dryRun()
          .create();
      return true;
    } catch (KubernetesClientException e) {
      return false;
    }
  }

  @AfterAll
  static void removeTheCopy() {
    if (client != null) {
      client.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).delete();
      client.close();
    }
  }

  private static void install(String crdYaml) {
    CustomResourceDefinition crd =
        Serialization.unmarshal(
            crdYaml
                .replace("tcpteardownprofiles.tcpteardown.io", CRD_NAME)
                .replace("group: \"tcpteardown.io\"", "group: \"" + GROUP + "\""),
            CustomResourceDefinition.class);
    assertThat(crd.getSpec().getGroup()).isEqualTo(GROUP);
    // The short name ttp belongs to the shared CRD: two CRDs with one short name are not
    // established.
    crd.getSpec().getNames().setShortNames(List.of());
    var existing = client.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get();
    if (existing == null) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    } else {
      crd.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      client.apiextensions().v1().customResourceDefinitions().resource(crd).update();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!established()) {
      assertThat(System.nanoTime()).as(CRD_NAME + " established within 30 s").isLessThan(deadline);
      sleep();
    }
  }

  private static boolean established() {
    var crd = client.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get();
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  private static void sleep() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static GenericKubernetesResource stranded() {
    return client.genericKubernetesResources(CONTEXT).withName("stranded").get();
  }

  private static TcpTeardownProfile typed(GenericKubernetesResource resource) {
    return Serialization.unmarshal(Serialization.asJson(resource), TcpTeardownProfile.class);
  }

  private static void patchStatus(String json) {
    client
        .genericKubernetesResources(CONTEXT)
        .withName("stranded")
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  @Test
  void theStrandedProfileIsReadAndRejectedButItsStatusIsNotWritableUntilItsSpecIsFixed() {
    // The new schema refuses creating such a profile now ...
    assertThatThrownBy(
            () ->
                client
                    .genericKubernetesResources(CONTEXT)
                    .resource(withoutOperator("new-one"))
                    .create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("operator");

    // ... but the stored one is still served, and the operator reads it and rejects it alone.
    GenericKubernetesResource stored = stranded();
    assertThat(stored).isNotNull();
    TcpTeardownProfile profile = typed(stored);
    TcpTeardownProfileStatus status =
        new ProfileStatusOracle(new PressureTracker())
            .compute(
                profile,
                List.of(profile),
                List.of(new NodeFacts("node-1", "u", Map.of("tier", "web"), null)),
                Map.of(),
                Instant.now());
    var accepted =
        status.conditions().stream()
            .filter(c -> c.getType().equals(ProfileConditions.ACCEPTED))
            .findFirst()
            .orElseThrow();
    assertThat(accepted.getStatus()).isEqualTo("False");
    assertThat(accepted.getMessage())
        .contains("spec.nodeSelector.matchExpressions[0].operator: Required value");

    // On this server (no validation ratcheting before Kubernetes 1.30) a status write validates
    // the whole object, so the operator cannot publish that status: the README says so.
    String statusPatch =
        Serialization.asJson(Map.of("status", Map.of("conditions", status.conditions())));
    assertThatThrownBy(() -> patchStatus(statusPatch))
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        // (the 1.20 server names the list without the item's index)
        .hasMessageContaining("spec.nodeSelector.matchExpressions.operator: Required value");

    // `validate` on what `kubectl get ttp -o yaml` prints finds it, naming the field.
    GenericKubernetesResourceList list = client.genericKubernetesResources(CONTEXT).list();
    Map<String, Object> asKubectlPrintsIt =
        Map.of("apiVersion", "v1", "kind", "List", "items", list.getItems());
    Path file = dir.resolve("profiles.yaml");
    try {
      Files.writeString(
          file,
          Serialization.asYaml(asKubectlPrintsIt)
              .replace(GROUP + "/", TcpTeardownProfile.GROUP + "/"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    StringWriter out = new StringWriter();
    var commandLine = TcpTeardownCommand.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(new StringWriter()));
    assertThat(commandLine.execute("validate", "-f", file.toString())).isEqualTo(1);
    assertThat(out.toString())
        .contains("TcpTeardownProfile/stranded: rejected")
        .contains("spec.nodeSelector.matchExpressions[0].operator: Required value");

    // The remedy the README gives: fix the spec (here: operator Exists); the status is writable
    // again and the profile is accepted.
    client
        .genericKubernetesResources(CONTEXT)
        .withName("stranded")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            """
            {"spec":{"nodeSelector":{"matchExpressions":[{"key":"tier","operator":"Exists"}]}}}
            """);
    patchStatus(statusPatch);
    assertThat(stranded().getAdditionalProperties().get("status")).isNotNull();
    assertThat(io.tcpteardown.rules.ProfileValidation.validate(typed(stranded()))).isEmpty();
  }
}
