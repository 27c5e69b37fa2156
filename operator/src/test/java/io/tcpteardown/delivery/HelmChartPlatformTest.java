package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart on other platforms: as a subchart, renamed, on OpenShift, with a PDB, with helm test.
 */
@UnitTest
class HelmChartPlatformTest {
  @TempDir Path work;

  private static Container operatorContainer(RenderedChart chart) {
    return chart
        .one(Deployment.class, "-operator")
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .getFirst();
  }

  /**
   * Every parent chart passes `global`; a condition key `enabled` is common: neither is refused.
   */
  @Test
  void itInstallsAsASubchartOfAParentThatPassesGlobal() throws Exception {
    Path parent = work.resolve("parent");
    Files.createDirectories(parent.resolve("charts"));
    Files.writeString(
        parent.resolve("Chart.yaml"),
        """
        apiVersion: v2
        name: platform
        version: 1.0.0
        dependencies:
          - name: tcp-teardown-operator
            version: 0.1.0
            condition: tcp-teardown-operator.enabled
        """);
    Files.writeString(
        parent.resolve("values.yaml"),
        """
        global:
          imageRegistry: registry.example.com
          storageClass: fast
        tcp-teardown-operator:
          enabled: true
        """);
    copy(RenderedChart.CHART, parent.resolve("charts/tcp-teardown-operator"));
    RenderedChart chart = RenderedChart.render(parent, "platform", Map.of());
    assertThat(chart.one(DaemonSet.class, "-agent")).isNotNull();
    // Disabled by the parent's condition: nothing rendered (helm-java answers null for no output).
    String disabled =
        new com.marcnuri.helm.Helm(parent)
            .template()
            .withName("platform")
            .set("tcp-teardown-operator.enabled", false)
            .call();
    assertThat(disabled == null ? "" : disabled).doesNotContain("kind: DaemonSet");
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  @Test
  void namesFollowNameOverrideAndFullnameOverride() throws Exception {
    assertThat(
            RenderedChart.render(Map.of("fullnameOverride", "tt"))
                .one(Deployment.class, "-operator")
                .getMetadata()
                .getName())
        .isEqualTo("tt-operator");
    assertThat(
            RenderedChart.render(Map.of("nameOverride", "sysctls"))
                .one(DaemonSet.class, "-agent")
                .getMetadata()
                .getName())
        .isEqualTo("tcp-teardown-sysctls-agent");
    RenderedChart renamed = RenderedChart.render(Map.of("nameOverride", "sysctls"));
    assertThat(renamed.one(DaemonSet.class, "-agent").getSpec().getSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/name", "sysctls");
  }

  @Test
  void podLabelsExtraEnvAndTheImageDigestReachThePods() throws Exception {
    String digest = "sha256:" + "a".repeat(64);
    RenderedChart chart =
        RenderedChart.render(
            Map.of(
                "operator.podLabels.team", "platform",
                "agent.podLabels.team", "platform",
                "operator.extraEnv[0].name", "HTTPS_PROXY",
                "operator.extraEnv[0].value", "http://proxy:3128",
                "agent.extraEnv[0].name", "EXTRA",
                "agent.extraEnv[0].value", "1",
                "image.digest", digest));
    Deployment operator = chart.one(Deployment.class, "-operator");
    DaemonSet agent = chart.one(DaemonSet.class, "-agent");
    assertThat(operator.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("team", "platform");
    assertThat(agent.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("team", "platform");
    assertThat(operatorContainer(chart).getEnv())
        .anySatisfy(
            e ->
                assertThat(e.getName() + "=" + e.getValue())
                    .isEqualTo("HTTPS_PROXY=http://proxy:3128"));
    assertThat(agent.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
        .anySatisfy(e -> assertThat(e.getName()).isEqualTo("EXTRA"));
    assertThat(operatorContainer(chart).getImage())
        .isEqualTo("ghcr.io/tcp-teardown/tcp-teardown-operator@" + digest);
  }

  @Test
  void aPodDisruptionBudgetOnlyWithMoreThanOneReplica() throws Exception {
    assertThat(RenderedChart.render(Map.of()).ofKind("PodDisruptionBudget")).isEmpty();
    RenderedChart two = RenderedChart.renderFor("1.30.0", Map.of("operator.replicas", 2));
    PodDisruptionBudget budget = two.one(PodDisruptionBudget.class, "-operator");
    assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getSelector().getMatchLabels())
        .isEqualTo(two.one(Deployment.class, "-operator").getSpec().getSelector().getMatchLabels());
    assertThat(
            RenderedChart.renderFor("1.20.2", Map.of("operator.replicas", 2))
                .ofKind("PodDisruptionBudget")
                .getFirst()
                .getApiVersion())
        .as("Kubernetes 1.20 serves only policy/v1beta1")
        .isEqualTo("policy/v1beta1");
    assertThat(
            RenderedChart.render(
                    Map.of("operator.replicas", 2, "operator.podDisruptionBudget.enabled", false))
                .ofKind("PodDisruptionBudget"))
        .isEmpty();
  }

  /** OpenShift's restricted SCC assigns the UID: the chart's can be removed, the rest stays. */
  @Test
  void securityContextsCanBeOverriddenForOpenShift() throws Exception {
    RenderedChart chart =
        RenderedChart.render(
            Map.of(
                "operator.podSecurityContext.runAsUser", "null",
                "operator.podSecurityContext.runAsGroup", "null"));
    PodSpec pod = chart.one(Deployment.class, "-operator").getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsUser()).isNull();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(operatorContainer(chart).getSecurityContext().getCapabilities().getDrop())
        .containsExactly("ALL");
    // The defaults are unchanged.
    PodSpec defaults =
        RenderedChart.render(Map.of())
            .one(Deployment.class, "-operator")
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(defaults.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
  }

  @Test
  void helmTestProbesTheAgentOnItsNodeWithTheChartsImage() throws Exception {
    assertThat(Files.readString(RenderedChart.CHART.resolve("templates/tests/agent-answers.yaml")))
        .contains("helm.sh/hook: test");
    RenderedChart chart = RenderedChart.renderWithHooks(work, Map.of());
    Pod test = chart.one(Pod.class, "-test-agent-answers");
    Container probe = test.getSpec().getContainers().getFirst();
    assertThat(probe.getImage()).isEqualTo(operatorContainer(chart).getImage());
    assertThat(probe.getArgs())
        .containsExactly(
            "probe",
            "http://$(HOST_IP):9102/metrics",
            "--expect",
            "tcp_teardown_agent_last_report_timestamp_seconds");
    assertThat(
            RenderedChart.renderWithHooks(work.resolve("off"), Map.of("helmTest.enabled", false))
                .ofKind("Pod"))
        .isEmpty();
  }

  @Test
  void everyTemplateStillRendersWithEveryNewValueSet() throws Exception {
    RenderedChart chart =
        RenderedChart.render(
            Map.of(
                "global.anything",
                "x",
                "operator.replicas",
                3,
                "agent.podSecurityContext.fsGroup",
                0,
                "fullnameOverride",
                "tt"));
    assertThat(chart.ofKind("DaemonSet")).hasSize(1);
    assertThat(chart.ofKind("PodDisruptionBudget")).hasSize(1);
    for (HasMetadata object : chart.ofKind("Service")) {
      assertThat(object.getMetadata().getName().length()).isLessThanOrEqualTo(63);
    }
  }
}
