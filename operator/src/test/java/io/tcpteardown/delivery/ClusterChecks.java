package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the real-cluster tier and the k3s test both check, written once: the chart installed with
 * the image built from the Dockerfile, and a profile reaching a node's network namespace.
 */
public final class ClusterChecks {
  private ClusterChecks() {}

  /** The values both clusters install the chart with, plus the given ones. */
  public static Map<String, String> values(
      String repository, String tag, Map<String, String> more) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("image.repository", repository);
    values.put("image.tag", tag);
    values.put("image.pullPolicy", "Never");
    values.put("agent.reportInterval", "10s");
    values.putAll(more);
    return values;
  }

  /** {@code helm install --create-namespace --wait} of the chart in this repository. */
  public static void install(String kubeconfig, Map<String, String> values) {
    InstallCommand install =
        new Helm(RenderedChart.CHART)
            .install()
            .withName(RenderedChart.RELEASE)
            .withNamespace(RenderedChart.NAMESPACE)
            .createNamespace()
            .withKubeConfigContents(kubeconfig)
            .waitReady()
            .withTimeout(300);
    values.forEach(install::set);
    install.call();
  }

  /**
   * Uninstalls the chart's release where an earlier test of the tier left it, and waits for its
   * agent pods to be gone (they terminate after the release does): what the pods say is not whether
   * the release is there.
   */
  public static void uninstallLeftover(String kubeconfig, KubernetesClient client) {
    boolean installed =
        Helm.list()
            .withNamespace(RenderedChart.NAMESPACE)
            .withKubeConfigContents(kubeconfig)
            .call()
            .stream()
            .anyMatch(r -> RenderedChart.RELEASE.equals(r.getName()));
    if (installed) {
      Helm.uninstall(RenderedChart.RELEASE)
          .withNamespace(RenderedChart.NAMESPACE)
          .withKubeConfigContents(kubeconfig)
          .call();
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofMinutes(3))
        .until(
            () ->
                client
                    .pods()
                    .inNamespace(RenderedChart.NAMESPACE)
                    .withLabel("app.kubernetes.io/component", "agent")
                    .list()
                    .getItems()
                    .isEmpty());
  }

  public static TcpTeardownProfile profile(KubernetesClient client, String exampleFile)
      throws IOException {
    try (InputStream in = Files.newInputStream(ExamplesTest.EXAMPLES.resolve(exampleFile))) {
      return client.getKubernetesSerialization().unmarshal(in, TcpTeardownProfile.class);
    }
  }

  /**
   * Waits until the node's TcpTeardownNode reports every expected sysctl applied and Applied=True,
   * then checks that the node's network namespace holds them ({@code sysctl} reads one there).
   */
  public static void awaitNodeHolds(
      KubernetesClient client,
      String node,
      Map<String, String> expected,
      UnaryOperator<String> sysctl,
      Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              TcpTeardownNode reported =
                  client.resources(TcpTeardownNode.class).withName(node).get();
              assertThat(reported).as("TcpTeardownNode %s", node).isNotNull();
              assertThat(reported.getStatus()).as("status of %s", node).isNotNull();
              assertThat(reported.getStatus().applied()).containsAllEntriesOf(expected);
              assertThat(
                      Conditions.isTrue(reported.getStatus().conditions(), NodeConditions.APPLIED))
                  .as("Applied condition of %s", node)
                  .isTrue();
            });
    expected.forEach((name, value) -> assertThat(sysctl.apply(name)).as(name).isEqualTo(value));
  }

  /** Waits until the profile reports the given number of applied nodes. */
  public static void awaitProfileApplied(
      KubernetesClient client, String profile, int nodes, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              TcpTeardownProfile stored =
                  client.resources(TcpTeardownProfile.class).withName(profile).get();
              assertThat(stored.getStatus()).isNotNull();
              assertThat(stored.getStatus().appliedNodes()).isEqualTo(nodes);
            });
  }
}
