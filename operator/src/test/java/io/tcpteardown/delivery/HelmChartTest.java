package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * helm lint and helm template of the chart, with default and other values, and what the manifests
 * say.
 */
@UnitTest
class HelmChartTest {
  private static String env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .map(
            e ->
                e.getValue() != null ? e.getValue() : e.getValueFrom().getFieldRef().getFieldPath())
        .orElseThrow(() -> new AssertionError("no env " + name));
  }

  /** resource (with subresource) to verbs, flattened from the rules. */
  private static Map<String, List<String>> verbs(List<PolicyRule> rules) {
    return rules.stream()
        .flatMap(r -> r.getResources().stream().map(res -> Map.entry(res, r.getVerbs())))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  @Test
  void lintPassesStrictly() {
    LintResult result = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void theOperatorRunsLockedDownWithProbesLeaderElectionAndMetrics() throws Exception {
    Deployment deployment = RenderedChart.render(Map.of()).one(Deployment.class, "-operator");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNull();
    Container operator = pod.getContainers().getFirst();
    assertThat(operator.getArgs()).containsExactly("operator");
    assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(operator.getSecurityContext().getPrivileged()).isNull();
    assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(operator.getResources().getLimits()).containsKey("memory");
    assertThat(env(operator, "LEADER_ELECTION")).isEqualTo("true");
    assertThat(env(operator, "POD_NAMESPACE")).isEqualTo("metadata.namespace");
    assertThat(env(operator, "STATUS_INTERVAL")).isEqualTo("15s");
    assertThat(env(operator, "AGENT_REPORT_INTERVAL")).isEqualTo("60s");
    assertThat(env(operator, "JDK_JAVA_OPTIONS")).isEqualTo("-XX:+UseStringDeduplication");
    assertThat(operator.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactlyInAnyOrder("health:8081", "metrics:8080");
  }

  @Test
  void theAgentIsPrivilegedInTheHostNetworkOnEveryNodeWithItsStateOnTheHost() throws Exception {
    DaemonSet daemonSet = RenderedChart.render(Map.of()).one(DaemonSet.class, "-agent");
    assertThat(daemonSet.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(
            daemonSet
                .getSpec()
                .getUpdateStrategy()
                .getRollingUpdate()
                .getMaxUnavailable()
                .getIntVal())
        .isEqualTo(1);
    PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getHostPID()).isTrue();
    assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getKey()).isNull();
            });
    Container agent = pod.getContainers().getFirst();
    assertThat(agent.getArgs()).containsExactly("agent");
    assertThat(agent.getSecurityContext().getPrivileged()).isTrue();
    assertThat(agent.getSecurityContext().getRunAsUser()).isZero();
    assertThat(env(agent, "NODE_NAME")).isEqualTo("spec.nodeName");
    assertThat(env(agent, "STATE_FILE")).isEqualTo("/var/lib/tcp-teardown/state.json");
    assertThat(env(agent, "METRICS_PORT")).isEqualTo("9102");
    // The agent's footprint flags (docs/benchmarks.md "Footprint"); the operator keeps the full JIT
    // compiler.
    assertThat(env(agent, "JDK_JAVA_OPTIONS"))
        .isEqualTo("-XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=4");
    // The kubelet probes a listener on the node's loopback, which no pod reaches (docs/agent.md
    // "Probes").
    assertThat(env(agent, "PROBE_PORT")).isEqualTo("9103");
    assertThat(env(agent, "PROBE_ADDRESS")).isEqualTo("127.0.0.1");
    assertThat(agent.getPorts())
        .anySatisfy(
            p -> {
              assertThat(p.getName()).isEqualTo("probes");
              assertThat(p.getContainerPort()).isEqualTo(9103);
            });
    for (var probe : List.of(agent.getLivenessProbe(), agent.getReadinessProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(probe.getHttpGet().getHost()).isEqualTo("127.0.0.1");
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("probes");
    }
    assertThat(pod.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getHostPath().getPath()).isEqualTo("/var/lib/tcp-teardown");
              assertThat(v.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
            });
    assertThat(agent.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/tcp-teardown"));
  }

  @Test
  void rbacGivesEachServiceAccountOnlyWhatItNeeds() throws Exception {
    RenderedChart chart = RenderedChart.render(Map.of());
    assertThat(verbs(chart.one(ClusterRole.class, "-agent").getRules()))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "tcpteardownnodes", List.of("get", "list", "watch"),
                "tcpteardownnodes/status", List.of("get", "patch", "update"),
                "nodes", List.of("get"),
                "pods", List.of("get", "list", "watch"),
                "namespaces", List.of("get", "list", "watch"),
                "events", List.of("create", "patch")));
    assertThat(
            verbs(
                RenderedChart.render(Map.of("agent.pods.enabled", false))
                    .one(ClusterRole.class, "-agent")
                    .getRules()))
        .containsOnlyKeys("tcpteardownnodes", "tcpteardownnodes/status", "nodes");
    assertThat(verbs(chart.one(ClusterRole.class, "-operator").getRules()))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "tcpteardownprofiles", List.of("get", "list", "watch"),
                "tcpteardownprofiles/status", List.of("get", "patch", "update"),
                "tcpteardownnodes", List.of("get", "list", "watch", "create", "update", "patch"),
                "nodes", List.of("get", "list", "watch")));
    Role lease = chart.one(Role.class, "-leader-election");
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
    // LeaderElectionApiTest finds these verbs by running the elector with this Role.
    assertThat(lease.getRules())
        .extracting(r -> r.getResources() + " " + r.getResourceNames() + " " + r.getVerbs())
        .containsExactly(
            "[leases] [] [create]", "[leases] [tcp-teardown-operator] [get, patch, update]");
    Role events = chart.one(Role.class, "-events");
    assertThat(events.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(verbs(events.getRules()))
        .containsExactlyEntriesOf(Map.of("events", List.of("create", "patch")));
    assertThat(
            chart.all(ClusterRole.class).stream()
                .flatMap(r -> r.getRules().stream())
                .flatMap(r -> r.getResources().stream()))
        .doesNotContain("secrets", "*");
    assertThat(chart.one(ClusterRole.class, "-operator").getRules())
        .flatExtracting(r -> r.getResources())
        .doesNotContain("pods", "namespaces");
  }

  @Test
  void nonDefaultValuesReachTheManifests() throws Exception {
    RenderedChart chart =
        RenderedChart.render(
            Map.of(
                "operator.replicas", 2,
                "agent.updateStrategy.maxUnavailable", "20%",
                "agent.priorityClassName", "",
                "agent.reportInterval", "2m",
                "agent.jvmOptions", "-Xlog:gc",
                "operator.jvmOptions", "-XX:+UseG1GC -Xlog:gc",
                "image.tag", "1.2.3",
                "metrics.serviceMonitor.enabled", true,
                "metrics.prometheusRule.enabled", true));
    assertThat(chart.one(Deployment.class, "-operator").getSpec().getReplicas()).isEqualTo(2);
    DaemonSet daemonSet = chart.one(DaemonSet.class, "-agent");
    assertThat(
            daemonSet
                .getSpec()
                .getUpdateStrategy()
                .getRollingUpdate()
                .getMaxUnavailable()
                .getStrVal())
        .isEqualTo("20%");
    assertThat(daemonSet.getSpec().getTemplate().getSpec().getPriorityClassName()).isNull();
    Container agent = daemonSet.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(env(agent, "REPORT_INTERVAL")).isEqualTo("2m");
    assertThat(
            env(
                chart
                    .one(Deployment.class, "-operator")
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .getFirst(),
                "AGENT_REPORT_INTERVAL"))
        .as("the operator knows the agents' interval")
        .isEqualTo("2m");
    assertThat(env(agent, "JDK_JAVA_OPTIONS")).isEqualTo("-Xlog:gc");
    assertThat(
            env(
                chart
                    .one(Deployment.class, "-operator")
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .getFirst(),
                "JDK_JAVA_OPTIONS"))
        .isEqualTo("-XX:+UseG1GC -Xlog:gc");
    assertThat(agent.getImage()).endsWith(":1.2.3");
    assertThat(chart.ofKind("ServiceMonitor")).hasSize(2);
    // Per-pod series carry namespace and pod labels of their own: kept, not renamed exported_*.
    assertThat(chart.ofKind("ServiceMonitor"))
        .allSatisfy(
            m ->
                assertThat(
                        (Boolean)
                            ((GenericKubernetesResource) m)
                                .get("spec", "endpoints", 0, "honorLabels"))
                    .isTrue());
    GenericKubernetesResource rule =
        (GenericKubernetesResource) chart.ofKind("PrometheusRule").getFirst();
    List<Map<String, Object>> rules = rule.get("spec", "groups", 0, "rules");
    assertThat(rules)
        .extracting(r -> (String) r.get("alert"))
        .containsExactlyInAnyOrderElementsOf(PrometheusRuleTest.SHIPPED);
  }

  @Test
  void theLeaseRoleFollowsTheLeaseName() throws Exception {
    Role lease =
        RenderedChart.render(Map.of("operator.leaseName", "my-lease"))
            .one(Role.class, "-leader-election");
    assertThat(lease.getRules().get(1).getResourceNames()).containsExactly("my-lease");
  }

  /**
   * helm template knows no cluster: its .Capabilities.APIVersions is Helm's own list of group
   * versions, without kinds, so auto leaves the policy out (as it does against the 1.20 test API
   * server: ChartOnApiServerApiTest); true renders it, false never.
   */
  @Test
  void nodeRestrictionPolicyTrueRendersItFalseNeverAutoNotWithoutTheApiVersion() throws Exception {
    List<String> policyKinds =
        List.of("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    assertThat(RenderedChart.render(Map.of()).objects())
        .extracting(HasMetadata::getKind)
        .doesNotContainAnyElementsOf(policyKinds)
        .contains("DaemonSet");
    assertThat(RenderedChart.render(Map.of("agent.nodeRestrictionPolicy", true)).objects())
        .extracting(HasMetadata::getKind)
        .containsAll(policyKinds);
    assertThat(RenderedChart.render(Map.of("agent.nodeRestrictionPolicy", false)).objects())
        .extracting(HasMetadata::getKind)
        .doesNotContainAnyElementsOf(policyKinds);
    assertThatThrownBy(() -> RenderedChart.render(Map.of("agent.nodeRestrictionPolicy", "yes")))
        .hasMessageContaining("nodeRestrictionPolicy");
  }

  /**
   * No server here serves ValidatingAdmissionPolicy v1, and helm-java cannot pass --api-versions:
   * the chart's own decision helper is rendered, by Helm, for every value and both answers of the
   * capability check, from a copy of the chart with one more template that calls it.
   */
  @Test
  void nodeRestrictionPolicyDecisionForEveryValueAndCapability(@TempDir Path work)
      throws Exception {
    Path chart = work.resolve("chart");
    try (var files = Files.walk(RenderedChart.CHART)) {
      for (Path file : files.toList()) {
        Path target = chart.resolve(RenderedChart.CHART.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
    Files.writeString(
        chart.resolve("templates/zz-decisions.yaml"),
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: decisions
        data:
        {{- range $policy := list "auto" true false }}
        {{- range $served := list true false }}
          {{ printf "%v-served-%v" $policy $served }}: {{ include "tcpteardown.nodeRestrictionPolicy.enabled" (dict "policy" $policy "served" $served) | quote }}
        {{- end }}
        {{- end }}
        """);
    ConfigMap decisions =
        RenderedChart.render(chart, RenderedChart.RELEASE, Map.of())
            .one(ConfigMap.class, "decisions");
    assertThat(decisions.getData())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "auto-served-true", "true",
                "auto-served-false", "",
                "true-served-true", "true",
                "true-served-false", "true",
                "false-served-true", "",
                "false-served-false", ""));
    String template = Files.readString(chart.resolve("templates/agent-node-restriction.yaml"));
    assertThat(template)
        .contains(
            ".Capabilities.APIVersions.Has"
                + " \"admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy\"");
  }

  @Test
  void byDefaultThereIsNoServiceMonitorOrPrometheusRule() throws Exception {
    RenderedChart chart = RenderedChart.render(Map.of());
    assertThat(chart.objects())
        .extracting(HasMetadata::getKind)
        .doesNotContain("ServiceMonitor", "PrometheusRule")
        .contains("Deployment", "DaemonSet", "ServiceAccount", "ClusterRole", "Service");
  }

  @Test
  void wrongValuesFailAtTemplateTimeAgainstTheSchema() {
    Function<Map<String, Object>, Throwable> render =
        values -> {
          try {
            RenderedChart.render(values);
            return null;
          } catch (Exception | AssertionError e) {
            return e;
          }
        };
    assertThat(render.apply(Map.of("operator.replicas", "two")))
        .isNotNull()
        .hasMessageContaining("replicas");
    assertThat(render.apply(Map.of("operator.replica", 2)))
        .isNotNull()
        .hasMessageContaining("replica");
    assertThat(render.apply(Map.of("agent.driftCheckInterval", "soon")))
        .isNotNull()
        .hasMessageContaining("driftCheckInterval");
    assertThat(render.apply(Map.of("image.pullPolicy", "Sometimes")))
        .isNotNull()
        .hasMessageContaining("pullPolicy");
    assertThat(render.apply(Map.of("operator.jvmOptions", "-Xmx1g; rm -rf /")))
        .isNotNull()
        .hasMessageContaining("jvmOptions");
    assertThat(render.apply(Map.of("agent.jvmOptions", "-jar other.jar")))
        .isNotNull()
        .hasMessageContaining("jvmOptions");
    assertThatThrownBy(() -> RenderedChart.render(Map.of("agent.metricsPort", 70000)))
        .hasMessageContaining("metricsPort");
    assertThatThrownBy(() -> RenderedChart.render(Map.of("agent.probePort", 70000)))
        .hasMessageContaining("probePort");
  }
}
