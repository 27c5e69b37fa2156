package io.tcpteardown.testsupport;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The single-node Kubernetes cluster of {@code scripts/local-cluster.sh}: etcd, kube-apiserver,
 * controller-manager, scheduler, dockerd and a kubelet in the network namespace {@code ttnode},
 * with the project's image built from its Dockerfile. Started once per test JVM (the script is
 * idempotent) and stopped by {@link #stopIfStarted()} at the end of the run ({@link
 * LocalClusterExtension}), unless it was already running before (a developer's cluster is left
 * alone) or {@code TT_CLUSTER_KEEP=1}.
 */
public final class LocalCluster {
  public static final String NODE = "tt-node";
  public static final String NODE_NAMESPACE = "ttnode";
  public static final String NODE_IP = "10.203.0.2";
  public static final String IMAGE_REPOSITORY = "tcp-teardown-operator";
  public static final String IMAGE_TAG = "dev";
  public static final String APP_IMAGE = "tcp-teardown-app:dev";

  /** The hostile tenant: {@code scripts/cluster/tenant/tenant.c} and busybox-static. */
  public static final String TENANT_IMAGE = "tcp-teardown-tenant:dev";

  /** Under the cluster's state directory, which {@code down} removes. */
  public static final String AGENT_STATE_DIR = "/var/lib/tcp-teardown-cluster/agent-state";

  private static final Path SCRIPT = Path.of("../scripts/local-cluster.sh");
  private static LocalCluster instance;

  private final Path kubeconfig;
  private final boolean startedHere;

  private LocalCluster(Path kubeconfig, boolean startedHere) {
    this.kubeconfig = kubeconfig;
    this.startedHere = startedHere;
  }

  /**
   * The running cluster, started if needed. Outside CI a machine that cannot run it skips the test
   * with a message naming what is missing; under {@code CI=true} that is an error.
   */
  public static synchronized LocalCluster get() {
    if (instance != null) {
      return instance;
    }
    String missing = missingPrerequisite();
    if (missing != null) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(
            "the real-cluster tier may not skip under CI=true, but " + missing);
      }
      Assumptions.abort("real-cluster tier skipped: " + missing);
    }
    boolean wasRunning = script(Duration.ofSeconds(30), "status").exitCode() == 0;
    Result up = script(Duration.ofMinutes(40), "up");
    if (up.exitCode() != 0) {
      throw new IllegalStateException("scripts/local-cluster.sh up failed:\n" + up.output());
    }
    List<String> lines = up.output().lines().toList();
    Path kubeconfig = Path.of(lines.getLast().strip());
    instance =
        new LocalCluster(kubeconfig, !wasRunning && !"1".equals(System.getenv("TT_CLUSTER_KEEP")));
    return instance;
  }

  /**
   * Stops the cluster if this JVM started it: its kubelet would otherwise clean up the cgroups that
   * later kernel tests name as the kubelet does. A cluster that was already running is left alone.
   */
  public static synchronized void stopIfStarted() {
    if (instance != null && instance.startedHere) {
      Result down = script(Duration.ofMinutes(3), "down");
      if (down.exitCode() != 0) {
        throw new IllegalStateException("scripts/local-cluster.sh down failed:\n" + down.output());
      }
    }
    instance = null;
  }

  private static String missingPrerequisite() {
    if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
      return "it needs Linux";
    }
    if (!NetworkNamespace.isRoot()) {
      return "it needs root (a network namespace, dockerd and a kubelet)";
    }
    if (!Files.isDirectory(Path.of("/sys/fs/cgroup/memory"))) {
      return "it needs cgroup v1 (/sys/fs/cgroup/memory), which kubelet 1.20 is set up for here";
    }
    if (!Files.isExecutable(Path.of("/usr/sbin/dockerd")) && !"true".equals(System.getenv("CI"))) {
      return "Debian's docker.io is not installed (scripts/local-cluster.sh provision installs it)";
    }
    return null;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public String kubeconfigYaml() {
    try {
      return Files.readString(kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public KubernetesClient client() {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(kubeconfigYaml()))
        .build();
  }

  /** kubectl as a user runs it, against this cluster; fails on a non-zero exit. */
  public String kubectl(String... args) {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Result result = run(Duration.ofMinutes(3), command);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + result.output());
    }
    return result.output();
  }

  /** A sysctl of the node's own network namespace, where the agent (hostNetwork) writes. */
  public String nodeSysctl(String name) {
    Result result =
        run(
            Duration.ofSeconds(20),
            List.of("nsenter", "--net=/var/run/netns/" + NODE_NAMESPACE, "sysctl", "-n", name));
    if (result.exitCode() != 0) {
      throw new IllegalStateException("sysctl " + name + " in the node failed: " + result.output());
    }
    return result.output().strip();
  }

  public static Result script(Duration timeout, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    return run(timeout, command);
  }

  public static Result run(Duration timeout, List<String> command) {
    try {
      Path output = Files.createTempFile("local-cluster", ".out");
      output.toFile().deleteOnExit();
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + ":\n"
                + Files.readString(output));
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      Files.deleteIfExists(output);
      return new Result(process.exitValue(), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public record Result(int exitCode, String output) {}
}
