package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's manifests and the examples against the real kube-apiserver: server-side apply, dry
 * run, of every object (as {@code kubectl apply --server-side --dry-run=server}), then the chart's
 * RBAC created for real and checked by impersonating each service account. The proof that the RBAC
 * suffices is elsewhere: the operator and the agents run with tokens of these service accounts in
 * LeaderElectionApiTest, AgentEndToEndTest and AgentWithoutApiServerEndToEndTest.
 */
@ApiTest
class ChartOnApiServerApiTest {
  /** Kinds whose CRDs (the Prometheus Operator's) the test API server does not have. */
  private static final List<String> NOT_SERVED = List.of("ServiceMonitor", "PrometheusRule");

  private static final String NAMESPACE = RenderedChart.NAMESPACE;

  private static KubernetesClient admin;
  private static final List<HasMetadata> created = new ArrayList<>();

  @BeforeAll
  static void namespace() {
    admin = TestCluster.client();
    if (admin.namespaces().withName(NAMESPACE).get() == null) {
      admin
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .create();
    }
  }

  @AfterAll
  static void cleanUp() {
    created.forEach(o -> admin.resource(o).delete());
    admin.close();
  }

  @Test
  void everyRenderedManifestAndEveryExampleIsAcceptedByServerSideDryRun() throws Exception {
    // As Helm renders it for this server's version (its PodDisruptionBudget's apiVersion follows).
    RenderedChart chart =
        RenderedChart.renderFor(
            TestCluster.OFFLINE_VERSION,
            Map.of(
                "metrics.serviceMonitor.enabled",
                true,
                "metrics.prometheusRule.enabled",
                true,
                "metrics.grafanaDashboard.enabled",
                true,
                "operator.replicas",
                2));
    List<HasMetadata> served =
        chart.objects().stream().filter(o -> !NOT_SERVED.contains(o.getKind())).toList();
    assertThat(served)
        .extracting(HasMetadata::getKind)
        .contains(
            "Deployment",
            "DaemonSet",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "ServiceAccount",
            "Service",
            "ConfigMap",
            "PodDisruptionBudget");
    for (HasMetadata object : served) {
      HasMetadata answer =
          admin
              .resource(object)
              .dryRun()
              .fieldManager("dry-run")
              .forceConflicts()
              .serverSideApply();
      assertThat(answer.getMetadata().getUid())
          .as(object.getKind() + " " + object.getMetadata().getName())
          .isNotBlank();
    }
    List<Path> examples;
    try (var listing = Files.list(ExamplesTest.EXAMPLES)) {
      examples = listing.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).hasSize(7);
    for (Path example : examples) {
      try (InputStream in = Files.newInputStream(example)) {
        TcpTeardownProfile profile =
            admin.getKubernetesSerialization().unmarshal(in, TcpTeardownProfile.class);
        assertThat(
                admin
                    .resource(profile)
                    .dryRun()
                    .fieldManager("dry-run")
                    .forceConflicts()
                    .serverSideApply()
                    .getMetadata()
                    .getUid())
            .as(example.toString())
            .isNotBlank();
        assertThat(
                admin
                    .resources(TcpTeardownProfile.class)
                    .withName(profile.getMetadata().getName())
                    .get())
            .as("a dry run stores nothing")
            .isNull();
      }
    }
  }

  /**
   * helm install --dry-run=server, which asks the cluster what it serves: the 1.20 test API server
   * has no ValidatingAdmissionPolicy, so auto leaves it out and installs, and true fails the
   * install naming it.
   */
  @Test
  void nodeRestrictionPolicyAutoIsLeftOutWhereTheServerHasNoValidatingAdmissionPolicy() {
    Release release =
        new Helm(RenderedChart.CHART)
            .install()
            .withName("dry-" + UUID.randomUUID().toString().substring(0, 8))
            .withNamespace(NAMESPACE)
            .withKubeConfigContents(TestCluster.kubeconfig())
            .skipCrds()
            .withDryRunOption(DryRun.SERVER)
            .call();
    // helm-java returns no manifest for a dry run, but a server dry run maps every rendered object
    // to the server's resources: a rendered policy would fail auto as it fails true below.
    assertThat(release.getOutput()).contains("STATUS: pending-install");
    assertThatThrownBy(
            () ->
                new Helm(RenderedChart.CHART)
                    .install()
                    .withName("dry-" + UUID.randomUUID().toString().substring(0, 8))
                    .withNamespace(NAMESPACE)
                    .withKubeConfigContents(TestCluster.kubeconfig())
                    .skipCrds()
                    .set("agent.nodeRestrictionPolicy", true)
                    .withDryRunOption(DryRun.SERVER)
                    .call())
        .hasMessageContaining("ValidatingAdmissionPolicy");
  }

  @Test
  void eachServiceAccountCanDoItsJobAndNothingMore() throws Exception {
    RenderedChart chart = RenderedChart.render(Map.of());
    for (Class<? extends HasMetadata> type :
        List.of(ClusterRole.class, ClusterRoleBinding.class, Role.class, RoleBinding.class)) {
      for (HasMetadata object : chart.all(type)) {
        created.add(admin.resource(object).createOr(existing -> existing.update()));
      }
    }
    String node = "rbac-" + UUID.randomUUID().toString().substring(0, 8);
    TcpTeardownNode nodeObject = new TcpTeardownNode();
    nodeObject.setMetadata(new ObjectMetaBuilder().withName(node).build());
    nodeObject.setSpec(
        TcpTeardownNodeSpec.of(
            TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 30),
            Map.of(),
            List.of(),
            List.of()));
    created.add(admin.resource(nodeObject).create());
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(node).build());
    profile.setSpec(
        new io.tcpteardown.api.TcpTeardownProfileSpec(
            null, null, null, 30, null, null, null, null, null));
    created.add(admin.resource(profile).create());
    admin
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(node)
                .endMetadata()
                .withStringData(Map.of("k", "v"))
                .build())
        .create();

    try (KubernetesClient agent = as(RenderedChart.RELEASE + "-tcp-teardown-operator-agent")) {
      assertThat(agent.resources(TcpTeardownNode.class).withName(node).get()).isNotNull();
      assertThat(agent.resources(TcpTeardownNode.class).list().getItems()).isNotEmpty();
      agent
          .resources(TcpTeardownNode.class)
          .withName(node)
          .subresource("status")
          .patch(
              new PatchContext.Builder().withPatchType(PatchType.JSON).build(),
              "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{\"driftCorrections\":1}}]");
      assertThat(
              admin
                  .resources(TcpTeardownNode.class)
                  .withName(node)
                  .get()
                  .getStatus()
                  .driftCorrections())
          .isEqualTo(1);
      agent
          .v1()
          .events()
          .inNamespace("default")
          .resource(
              new io.fabric8.kubernetes.api.model.EventBuilder()
                  .withNewMetadata()
                  .withName(node + ".rbac")
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withKind("TcpTeardownNode")
                  .withName(node)
                  .endInvolvedObject()
                  .withReason("Test")
                  .withMessage("rbac")
                  .build())
          .create();
      assertForbidden(
          () ->
              agent
                  .resources(TcpTeardownProfile.class)
                  .withName(node)
                  .edit(
                      p -> {
                        p.getMetadata().setLabels(Map.of("changed", "yes"));
                        return p;
                      }));
      assertForbidden(
          () ->
              agent
                  .resources(TcpTeardownNode.class)
                  .withName(node)
                  .edit(
                      n -> {
                        n.getMetadata().setLabels(Map.of("changed", "yes"));
                        return n;
                      }));
      assertForbidden(() -> agent.secrets().inNamespace(NAMESPACE).withName(node).get());
      // It reads pods (its watch narrows them to its node) but never changes one.
      assertThat(agent.pods().inAnyNamespace().list()).isNotNull();
      assertForbidden(() -> agent.pods().inNamespace(NAMESPACE).withName("any").delete());
      // It gets a Node (its own capacity.memory, for the memory rule), never lists or changes one.
      assertThat(agent.nodes().withName("any").get()).isNull();
      assertForbidden(() -> agent.nodes().list());
      assertForbidden(() -> agent.nodes().withName("any").delete());
      assertForbidden(
          () ->
              agent
                  .nodes()
                  .resource(
                      new io.fabric8.kubernetes.api.model.NodeBuilder()
                          .withNewMetadata()
                          .withName("any")
                          .endMetadata()
                          .build())
                  .create());
    }

    try (KubernetesClient operator =
        as(RenderedChart.RELEASE + "-tcp-teardown-operator-operator")) {
      TcpTeardownNode other = new TcpTeardownNode();
      other.setMetadata(new ObjectMetaBuilder().withName(node + "-op").build());
      other.setSpec(nodeObject.getSpec());
      created.add(operator.resource(other).create());
      assertThat(operator.nodes().list()).isNotNull();
      assertThat(operator.resources(TcpTeardownProfile.class).withName(node).get()).isNotNull();
      operator
          .resources(TcpTeardownProfile.class)
          .withName(node)
          .subresource("status")
          .patch(
              new PatchContext.Builder().withPatchType(PatchType.JSON).build(),
              "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{\"selectedNodes\":0}}]");
      operator
          .leases()
          .inNamespace(NAMESPACE)
          .resource(
              new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                  .withNewMetadata()
                  .withName("tcp-teardown-operator")
                  .endMetadata()
                  .build())
          .create();
      operator
          .leases()
          .inNamespace(NAMESPACE)
          .withName("tcp-teardown-operator")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"holderIdentity\":\"rbac-test\"}}");
      admin
          .leases()
          .inNamespace(NAMESPACE)
          .resource(
              new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                  .withNewMetadata()
                  .withName(node + "-other")
                  .endMetadata()
                  .build())
          .create();
      assertForbidden(
          () -> operator.leases().inNamespace(NAMESPACE).withName(node + "-other").get());
      assertForbidden(() -> operator.secrets().inNamespace(NAMESPACE).withName(node).get());
      assertForbidden(() -> operator.resources(TcpTeardownNode.class).withName(node).delete());
      assertForbidden(() -> operator.resources(TcpTeardownProfile.class).withName(node).delete());
      assertForbidden(() -> operator.leases().inNamespace("default").list());
    } finally {
      admin.secrets().inNamespace(NAMESPACE).withName(node).delete();
      admin.leases().inNamespace(NAMESPACE).withName("tcp-teardown-operator").delete();
      admin.leases().inNamespace(NAMESPACE).withName(node + "-other").delete();
    }
  }

  private static KubernetesClient as(String serviceAccount) {
    Config config = Config.fromKubeconfig(TestCluster.kubeconfig());
    config.setImpersonateUsername("system:serviceaccount:" + NAMESPACE + ":" + serviceAccount);
    config.setImpersonateGroups(
        "system:serviceaccounts", "system:serviceaccounts:" + NAMESPACE, "system:authenticated");
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static void assertForbidden(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }
}
