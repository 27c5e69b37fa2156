package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.testsupport.LocalCluster;
import io.tcpteardown.testsupport.LocalClusterExtension;
import io.tcpteardown.tier.ClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * childEhashEntries on a real node (issue 28, item 4): a profile sets it in the node's namespace, a
 * pod created afterwards by the container runtime has its own TCP hash table (read through {@code
 * kubectl exec}), a pod started before keeps the shared one, the agent's status says so per pod,
 * and deleting the profile restores the node's original value. Runs after the other cluster tiers
 * on the same cluster.
 */
@ClusterTest
@Order(3)
@ExtendWith(LocalClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodHashTablesClusterTest {
  static final String NAMESPACE = RenderedChart.NAMESPACE;
  static final String APPS = "ehash-apps";
  static final String PROFILE = "pod-hash-tables";
  static final String SYSCTL = "net.ipv4.tcp_child_ehash_entries";
  static final int ENTRIES = 16384;

  static LocalCluster cluster;
  static KubernetesClient client;
  static String original;

  @BeforeAll
  static void installTheChartAndAPodBeforeTheProfile() throws IOException {
    cluster = LocalCluster.get();
    client = cluster.client();
    // The tier owns the cluster: what an earlier tier left (profiles, its release) goes.
    if (client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("tcpteardownprofiles.tcpteardown.io")
            .get()
        != null) {
      client.resources(TcpTeardownProfile.class).delete();
    }
    if (!pods(NAMESPACE, "app.kubernetes.io/component=agent").isEmpty()) {
      Helm.uninstall(RenderedChart.RELEASE)
          .withNamespace(NAMESPACE)
          .withKubeConfigContents(cluster.kubeconfigYaml())
          .call();
    }
    original = cluster.nodeSysctl(SYSCTL);
    ClusterChecks.install(
        cluster.kubeconfigYaml(),
        ClusterChecks.values(
            LocalCluster.IMAGE_REPOSITORY,
            LocalCluster.IMAGE_TAG,
            Map.of(
                "agent.stateDir", LocalCluster.AGENT_STATE_DIR,
                "agent.driftCheckInterval", "5s",
                "agent.pods.minInterval", "5s",
                "agent.pods.cpuBudget", "0.5")));
    cluster.kubectl("create", "namespace", APPS);
    cluster.kubectl("-n", APPS, "apply", "-f", deployment("before").toString());
    awaitReady("before");
  }

  @AfterAll
  static void cleanUp() {
    if (client == null) {
      return;
    }
    client.resources(TcpTeardownProfile.class).withName(PROFILE).delete();
    client.namespaces().withName(APPS).delete();
    if (!pods(NAMESPACE, "app.kubernetes.io/component=agent").isEmpty()) {
      Helm.uninstall(RenderedChart.RELEASE)
          .withNamespace(NAMESPACE)
          .withKubeConfigContents(cluster.kubeconfigYaml())
          .call();
    }
    client.close();
  }

  @Test
  @Order(1)
  void aPodCreatedAfterTheProfileHasItsOwnTableAndTheStatusSaysSoForItAlone() throws IOException {
    assertThat(Long.parseLong(original)).as("the node's value before any profile").isZero();
    Path file = Files.createTempFile(PROFILE, ".yaml");
    file.toFile().deleteOnExit();
    Files.writeString(
        file,
        """
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata:
          name: %s
        spec:
          childEhashEntries: %d
        """
            .formatted(PROFILE, ENTRIES));
    cluster.kubectl("apply", "-f", file.toString());
    ClusterChecks.awaitNodeHolds(
        client,
        LocalCluster.NODE,
        Map.of(SYSCTL, Integer.toString(ENTRIES)),
        cluster::nodeSysctl,
        Duration.ofMinutes(2));

    cluster.kubectl("-n", APPS, "apply", "-f", deployment("after").toString());
    awaitReady("after");
    String before = podName("before");
    String after = podName("after");
    assertThat(podEhash(after)).as("the new pod's own table").isEqualTo(ENTRIES);
    assertThat(podEhash(before)).as("the old pod shares the node's table").isNegative();

    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              var status =
                  client
                      .resources(TcpTeardownNode.class)
                      .withName(LocalCluster.NODE)
                      .get()
                      .getStatus();
              assertThat(status.pods()).isNotNull();
              PodTeardownEntry own = RealClusterTest.entry(status.pods(), after);
              assertThat(own.ownEhash()).isTrue();
              assertThat(own.ehashBuckets()).isEqualTo((long) ENTRIES);
              assertThat(own.maxTwBuckets()).isEqualTo(ENTRIES / 2L);
              PodTeardownEntry shared = RealClusterTest.entry(status.pods(), before);
              assertThat(shared.ownEhash()).isFalse();
              assertThat(Conditions.find(status.conditions(), NodeConditions.APPLIED))
                  .hasValueSatisfying(
                      c ->
                          assertThat(c.getMessage())
                              .contains("existing pods keep the shared table"));
            });
    System.out.printf(
        "FIGURE pod created before the profile: tcp_ehash_entries %d; after: %d%n",
        podEhash(before), podEhash(after));
  }

  @Test
  @Order(2)
  void deletingTheProfileRestoresTheNodesOriginal() {
    cluster.kubectl("delete", "ttp", PROFILE);
    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(() -> assertThat(cluster.nodeSysctl(SYSCTL)).isEqualTo(original));
  }

  static java.util.List<io.fabric8.kubernetes.api.model.Pod> pods(
      String namespace, String selector) {
    String[] label = selector.split("=", 2);
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel(label[0], label[1])
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  static long podEhash(String pod) {
    return Long.parseLong(
        cluster
            .kubectl("-n", APPS, "exec", pod, "--", "cat", "/proc/sys/net/ipv4/tcp_ehash_entries")
            .strip());
  }

  static String podName(String app) {
    return RealClusterTest.name(pods(APPS, "app=" + app).getFirst());
  }

  static void awaitReady(String app) {
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> pods(APPS, "app=" + app),
            pods -> pods.size() == 1 && RealClusterTest.ready(pods.getFirst()));
  }

  /** A pod of the teardown-app image that serves and otherwise idles. */
  static Path deployment(String app) throws IOException {
    Path file = Files.createTempFile(app, ".yaml");
    file.toFile().deleteOnExit();
    Files.writeString(
        file,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
        spec:
          replicas: 1
          selector:
            matchLabels: {app: %1$s}
          template:
            metadata:
              labels: {app: %1$s}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
                - name: %1$s
                  image: %2$s
                  imagePullPolicy: Never
                  args: [server, "8080"]
                  resources:
                    limits: {memory: 128Mi}
        """
            .formatted(app, LocalCluster.APP_IMAGE));
    return file;
  }
}
