package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.tier.EndToEndTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The whole product in a real cluster: the image built from the Dockerfile, loaded into k3s, the
 * chart installed with Helm, a profile applied; the k3s node's TcpTeardownNode must report the
 * values applied and the sysctls inside the k3s container (the node's network namespace) must hold
 * them. The checks are {@link ClusterChecks}, shared with the real-cluster tier ({@code
 * RealClusterTest}), which runs the rest of the journey where no registry is reachable. Needs a
 * Docker engine and the docker CLI (BuildKit, for the Dockerfile's cache mounts); skipped where
 * there is no Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
@EndToEndTest
class K3sEndToEndTest {
  private static final String IMAGE = "tcp-teardown-operator:e2e";

  @Container
  private static final K3sContainer K3S =
      new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));

  @Test
  void aProfileReachesTheNodeThroughTheChartAndTheImage() throws Exception {
    Path tarball = Files.createTempFile("tcp-teardown-image", ".tar");
    run("docker", "build", "-t", IMAGE, "..");
    run("docker", "save", "-o", tarball.toString(), IMAGE);
    K3S.copyFileToContainer(MountableFile.forHostPath(tarball), "/tmp/image.tar");
    ExecResult imported = K3S.execInContainer("ctr", "images", "import", "/tmp/image.tar");
    assertThat(imported.getExitCode()).as(imported.getStderr()).isZero();

    String kubeconfig = K3S.getKubeConfigYaml();
    ClusterChecks.install(
        kubeconfig, ClusterChecks.values("tcp-teardown-operator", "e2e", Map.of()));

    try (KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
      client.resource(ClusterChecks.profile(client, "base.yaml")).create();
      String node = client.nodes().list().getItems().getFirst().getMetadata().getName();
      ClusterChecks.awaitNodeHolds(
          client,
          node,
          Map.of(
              "net.ipv4.tcp_fin_timeout", "60",
              "net.ipv4.tcp_orphan_retries", "8",
              "net.ipv4.tcp_tw_reuse", "2"),
          K3sEndToEndTest::sysctlInNode,
          Duration.ofMinutes(3));
      ClusterChecks.awaitProfileApplied(client, "base", 1, Duration.ofMinutes(2));
    }
  }

  /** The k3s container is the node, and its network namespace the node's. */
  private static String sysctlInNode(String name) {
    try {
      return K3S.execInContainer("sysctl", "-n", name).getStdout().strip();
    } catch (Exception e) {
      throw new IllegalStateException("sysctl " + name + " in the k3s container", e);
    }
  }

  private static void run(String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().put("DOCKER_BUILDKIT", "1");
    Process process = builder.start();
    assertThat(process.waitFor(20, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
  }
}
