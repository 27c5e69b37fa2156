package io.tcpteardown.testsupport;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node agent as a separate {@code java} process inside its own network namespace, standing for
 * one node. A namespace has its own loopback, so the test API server on the host's 127.0.0.1 is
 * reached through a socat relay over a Unix socket (which crosses namespaces): inside, socat
 * listens on 127.0.0.1:port (the address the server's certificate names) and forwards to the
 * socket; outside, socat forwards the socket to the server.
 */
public final class AgentProcess implements AutoCloseable {
  private final NetworkNamespace namespace;
  private final Path workDir;
  private final List<Process> relays = new ArrayList<>();
  private Process agent;

  public static final List<String> DEFAULT_JVM_FLAGS =
      List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx128m");

  public AgentProcess(NetworkNamespace namespace, Path workDir) {
    this.namespace = namespace;
    this.workDir = workDir;
  }

  /** Starts the relay and the agent for {@code nodeName} with the given extra agent flags. */
  public AgentProcess start(String kubeconfigYaml, String nodeName, String... flags)
      throws IOException {
    startRelay(kubeconfigYaml);
    return startAgent(kubeconfigYaml, nodeName, DEFAULT_JVM_FLAGS, flags);
  }

  /**
   * Lets the namespace reach the API server of the kubeconfig on 127.0.0.1 (see the class comment).
   */
  public AgentProcess startRelay(String kubeconfigYaml) throws IOException {
    int port = URI.create(Config.fromKubeconfig(kubeconfigYaml).getMasterUrl()).getPort();
    Path socket = workDir.resolve("api.sock");
    relays.add(
        new ProcessBuilder("socat", "UNIX-LISTEN:" + socket + ",fork", "TCP:127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("relay-out.log").toFile())
            .start());
    waitFor(() -> Files.exists(socket), "relay socket " + socket);
    relays.add(
        namespace
            .processBuilder(
                List.of(
                    "socat",
                    "TCP-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr",
                    "UNIX-CONNECT:" + socket))
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("relay-in.log").toFile())
            .start());
    return this;
  }

  /**
   * Starts the agent (without a relay it cannot reach the API server) with these JVM and agent
   * flags.
   */
  public AgentProcess startAgent(
      String kubeconfigYaml, String nodeName, List<String> jvmFlags, String... flags)
      throws IOException {
    List<String> launcher = new ArrayList<>();
    launcher.add(ProcessHandle.current().info().command().orElse("java"));
    launcher.addAll(jvmFlags);
    launcher.addAll(
        List.of(
            "-cp", System.getProperty("java.class.path"), "io.tcpteardown.cli.TcpTeardownCommand"));
    return startAgentWith(launcher, kubeconfigYaml, nodeName, flags);
  }

  /**
   * Starts the agent with {@code launcher}, a command that runs the command line (for example the
   * image's entrypoint), followed by {@code agent} and its flags.
   */
  public AgentProcess startAgentWith(
      List<String> launcher, String kubeconfigYaml, String nodeName, String... flags)
      throws IOException {
    Path kubeconfig = workDir.resolve("kubeconfig");
    Files.writeString(kubeconfig, kubeconfigYaml);
    List<String> command = new ArrayList<>(launcher);
    command.addAll(
        List.of(
            "agent",
            "--node-name",
            nodeName,
            "--pod-name",
            "agent-" + nodeName,
            "--state-file",
            workDir.resolve("state/state.json").toString()));
    command.addAll(List.of(flags));
    if (!command.contains("--metrics-port")) {
      command.addAll(List.of("--metrics-port", "0"));
    }
    ProcessBuilder builder =
        namespace.processBuilder(command).redirectErrorStream(true).redirectOutput(log().toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    agent = builder.start();
    return this;
  }

  public long pid() {
    return agent.pid();
  }

  public Path log() {
    return workDir.resolve("agent.log");
  }

  public String logText() {
    try {
      return Files.readString(log());
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  public boolean alive() {
    return agent != null && agent.isAlive();
  }

  /** SIGTERM, as the kubelet sends when a pod stops; waits for the process to end. */
  /** SIGKILL, as a crash or an OOM kill: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    if (agent != null && agent.isAlive()) {
      agent.destroyForcibly().waitFor();
    }
  }

  public void stop() throws InterruptedException {
    if (agent != null && agent.isAlive()) {
      agent.destroy();
      if (!agent.waitFor(20, TimeUnit.SECONDS)) {
        agent.destroyForcibly().waitFor();
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    for (Process relay : relays) {
      relay.destroyForcibly().waitFor();
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, String what)
      throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IOException("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }
}
