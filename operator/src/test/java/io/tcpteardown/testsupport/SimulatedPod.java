package io.tcpteardown.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A pod as a node's kernel sees it, without a kubelet: a process inside a test network namespace
 * (started with nsenter, since {@code ip netns exec} mounts a fresh /sys that hides the cgroup
 * hierarchies), placed in a real cgroup directory named as the kubelet names it with the pod's UID.
 * Directories live under a root of their own per test, never in the kubelet's real {@code
 * kubepods}.
 */
public final class SimulatedPod implements AutoCloseable {
  private static final Path LEAKY_CLIENT = Path.of("src/test/resources/pods/LeakyClient.java");

  /** How the kubelet lays out cgroups. */
  public enum Driver {
    CGROUPFS,
    SYSTEMD
  }

  /** The pod's QoS class: guaranteed pods sit directly under kubepods. */
  public enum Qos {
    GUARANTEED,
    BURSTABLE,
    BESTEFFORT
  }

  private static final Path V1 = Path.of("/sys/fs/cgroup/pids");
  private static final Path V2 = Path.of("/sys/fs/cgroup/unified");

  private final String uid;
  private final String containerId;
  private final Process process;
  private final List<Path> created = new ArrayList<>();

  private SimulatedPod(String uid, String containerId, Process process) {
    this.uid = uid;
    this.containerId = containerId;
    this.process = process;
  }

  /**
   * Starts the pod's process in {@code namespace}, in the cgroup of a container of pod {@code uid}
   * laid out by {@code driver} and {@code qos}, in the v1 hierarchy {@code pids} and in cgroup v2.
   */
  public static SimulatedPod start(
      NetworkNamespace namespace, String root, String uid, Driver driver, Qos qos)
      throws IOException {
    return start(namespace, root, uid, driver, qos, List.of("sleep", "infinity"));
  }

  /**
   * Until nsenter has joined the pod's namespace, the process is still in this one, and a scan
   * right after start (under load, it happened) would not find the pod.
   */
  private static void awaitOwnNetworkNamespace(Process process) throws IOException {
    Path self = Path.of("/proc/self/ns/net");
    Path theirs = Path.of("/proc", String.valueOf(process.pid()), "ns", "net");
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        if (!Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(self))) {
          return;
        }
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new IOException("the pod's process exited at start", e);
        }
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
    throw new IOException("the pod's process did not join its network namespace within 10 s");
  }

  /**
   * A pod whose process ({@code src/test/resources/pods/LeakyClient.java}) holds {@code closeWaits}
   * CLOSE_WAIT sockets, never closing what its peer closed; returns once they exist.
   */
  public static SimulatedPod startLeaky(
      NetworkNamespace namespace, String root, String uid, Driver driver, Qos qos, int closeWaits)
      throws IOException {
    String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    SimulatedPod pod =
        start(
            namespace,
            root,
            uid,
            driver,
            qos,
            List.of(
                javaBinary, LEAKY_CLIENT.toAbsolutePath().toString(), String.valueOf(closeWaits)));
    String first =
        new java.io.BufferedReader(
                new java.io.InputStreamReader(
                    pod.output(), java.nio.charset.StandardCharsets.UTF_8))
            .readLine();
    if (!"ready".equals(first)) {
      pod.close();
      throw new IOException("the leaking process did not start: " + first);
    }
    return pod;
  }

  /** As {@link #start(NetworkNamespace, String, String, Driver, Qos)}, running {@code command}. */
  public static SimulatedPod start(
      NetworkNamespace namespace,
      String root,
      String uid,
      Driver driver,
      Qos qos,
      List<String> command)
      throws IOException {
    String containerId =
        (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "").substring(0, 64);
    List<String> full =
        new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + namespace.name()));
    full.addAll(command);
    Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
    SimulatedPod pod = new SimulatedPod(uid, containerId, process);
    try {
      awaitOwnNetworkNamespace(process);
      String relative = path(root, uid, containerId, driver, qos);
      for (Path hierarchy : List.of(V1, V2)) {
        pod.place(hierarchy, relative);
      }
    } catch (IOException | RuntimeException e) {
      pod.close();
      throw e;
    }
    return pod;
  }

  /** The cgroup path of a container, relative to a hierarchy, as the kubelet names it. */
  static String path(String root, String uid, String containerId, Driver driver, Qos qos) {
    return switch (driver) {
      case CGROUPFS ->
          root
              + "/kubepods"
              + (qos == Qos.GUARANTEED ? "" : "/" + qos.name().toLowerCase())
              + "/pod"
              + uid
              + "/"
              + containerId;
      case SYSTEMD -> {
        String level = qos == Qos.GUARANTEED ? "" : "-" + qos.name().toLowerCase();
        yield root
            + "/kubepods.slice"
            + (qos == Qos.GUARANTEED ? "" : "/kubepods" + level + ".slice")
            + "/kubepods"
            + level
            + "-pod"
            + uid.replace('-', '_')
            + ".slice/cri-containerd-"
            + containerId
            + ".scope";
      }
    };
  }

  private void place(Path hierarchy, String relative) throws IOException {
    Path directory = hierarchy;
    for (String segment : relative.split("/")) {
      directory = directory.resolve(segment);
      if (!Files.isDirectory(directory)) {
        Files.createDirectory(directory);
        created.add(directory);
      }
    }
    Files.writeString(directory.resolve("cgroup.procs"), Long.toString(process.pid()));
  }

  public String uid() {
    return uid;
  }

  public String containerId() {
    return containerId;
  }

  /** The process's output, for a command that says when it is ready. */
  public java.io.InputStream output() {
    return process.getInputStream();
  }

  public int pid() {
    return (int) process.pid();
  }

  /** Ends the process (the pod is gone); its cgroup directories are removed by {@link #close}. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int i = created.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(created.get(i));
      } catch (IOException e) {
        // a directory still in use is left; the root's name says it is a test's
      }
    }
  }
}
