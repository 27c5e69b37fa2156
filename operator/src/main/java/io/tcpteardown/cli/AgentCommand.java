package io.tcpteardown.cli;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.agent.AgentRuntime;
import io.tcpteardown.agent.AgentSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "agent",
    description = {
      "Runs the node agent: makes this node's teardown sysctls match its TcpTeardownNode, keeps them from "
          + "drifting, restores originals when no profile sets them, counts teardown states and reports status.",
      "Acts on the network namespace it runs in: in a cluster a privileged DaemonSet pod with hostNetwork: true.",
      "Stopping the agent restores nothing."
    })
public final class AgentCommand implements Callable<Integer> {
  @Option(
      names = "--node-name",
      required = true,
      defaultValue = "${env:NODE_NAME}",
      description =
          "This node's name, the name of its TcpTeardownNode (env NODE_NAME, from the downward API).")
  String nodeName;

  @Option(
      names = "--pod-name",
      defaultValue = "${env:POD_NAME:-}",
      description = "This agent's pod, reported in status (env POD_NAME).")
  String podName;

  @Mixin ProcRootOption proc;

  @Option(
      names = "--state-file",
      defaultValue = "${env:STATE_FILE:-/var/lib/tcp-teardown/state.json}",
      description =
          "Node-local file of original values, on a hostPath (env STATE_FILE, default ${DEFAULT-VALUE}).")
  Path stateFile;

  @Option(
      names = "--drift-check-interval",
      defaultValue = "${env:DRIFT_CHECK_INTERVAL:-30s}",
      converter = DurationConverter.class,
      description =
          "How often managed values are re-read and written back if changed (env DRIFT_CHECK_INTERVAL, "
              + "default ${DEFAULT-VALUE}).")
  Duration driftCheckInterval;

  @Option(
      names = "--report-interval",
      defaultValue = "${env:REPORT_INTERVAL:-60s}",
      converter = DurationConverter.class,
      description =
          "How often status is written when nothing changed: one interval, ±10%% jitter, after the "
              + "last write of any kind (env REPORT_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration reportInterval;

  @Option(
      names = "--metrics-port",
      defaultValue = "${env:METRICS_PORT:-9102}",
      description =
          "Port of /metrics and /healthz (env METRICS_PORT, default ${DEFAULT-VALUE}; 0 picks a free one).")
  int metricsPort;

  @Option(
      names = "--metrics-address",
      defaultValue = "${env:METRICS_ADDRESS:-}",
      description =
          "Address of /metrics and /healthz (env METRICS_ADDRESS; default every address; the chart "
              + "passes the node's IP, status.hostIP).")
  String metricsAddress;

  @Option(
      names = "--probe-port",
      defaultValue = "${env:PROBE_PORT:-9103}",
      description =
          "Port of the kubelet's probe listener, /healthz only (env PROBE_PORT, default"
              + " ${DEFAULT-VALUE}; 0 picks a free one; -1 for none, /healthz stays on the metrics"
              + " port).")
  int probePort;

  @Option(
      names = "--probe-address",
      defaultValue = "${env:PROBE_ADDRESS:-127.0.0.1}",
      description =
          "Address of the probe listener (env PROBE_ADDRESS, default ${DEFAULT-VALUE}: in the"
              + " node's network only the node itself reaches it, so no pod can hold up the"
              + " kubelet's probes; README \"Probes\").")
  String probeAddress;

  @Option(
      names = "--pods",
      arity = "1",
      defaultValue = "${env:PODS:-true}",
      description =
          "Count the network namespace of every pod of this node (needs hostPID: true and RBAC to"
              + " watch the node's pods) (env PODS, default ${DEFAULT-VALUE}).")
  boolean pods;

  @Option(
      names = "--pod-sweep-cpu-budget",
      defaultValue = "${env:POD_SWEEP_CPU_BUDGET:-0.02}",
      description =
          "Share of one core that pod sweeps and the pod tuning loop's rescans may use on average;"
              + " both are spaced to stay inside it (env POD_SWEEP_CPU_BUDGET, default"
              + " ${DEFAULT-VALUE}, that is 2%%).")
  double podSweepCpuBudget;

  @Option(
      names = "--pod-sweep-min-interval",
      defaultValue = "${env:POD_SWEEP_MIN_INTERVAL:-15s}",
      converter = DurationConverter.class,
      description =
          "Shortest pause between two pod sweeps (env POD_SWEEP_MIN_INTERVAL, default"
              + " ${DEFAULT-VALUE}).")
  Duration podSweepMinInterval;

  @Option(
      names = "--status-pod-limit",
      defaultValue = "${env:STATUS_POD_LIMIT:-20}",
      description =
          "Pods listed in status.pods: every pod with a problem, then those with the most teardown"
              + " sockets (env STATUS_POD_LIMIT, default ${DEFAULT-VALUE}).")
  int statusPodLimit;

  @Option(
      names = "--pod-metrics-limit",
      defaultValue = "${env:POD_METRICS_LIMIT:-50}",
      description =
          "Pods with per-pod metrics, those with the most teardown sockets (env"
              + " POD_METRICS_LIMIT, default ${DEFAULT-VALUE}).")
  int podMetricsLimit;

  @Option(
      names = "--close-wait-threshold",
      defaultValue = "${env:CLOSE_WAIT_THRESHOLD:-100}",
      description =
          "A pod with at least this many CLOSE_WAIT sockets, not falling for three sweeps, is a"
              + " suspected leak (env CLOSE_WAIT_THRESHOLD, default ${DEFAULT-VALUE}).")
  long closeWaitThreshold;

  /** Every flag's value. */
  AgentSettings settings() {
    return new AgentSettings(
        nodeName,
        podName,
        proc.procRoot,
        stateFile,
        driftCheckInterval,
        reportInterval,
        metricsPort,
        metricsAddress,
        probePort,
        probeAddress,
        pods,
        podSweepCpuBudget,
        podSweepMinInterval,
        statusPodLimit,
        podMetricsLimit,
        closeWaitThreshold);
  }

  @Override
  public Integer call() throws Exception {
    AgentRuntime runtime;
    try {
      runtime =
          AgentRuntime.start(
              new KubernetesClientBuilder().build(),
              settings(),
              VersionProvider.version(),
              System.err::println);
    } catch (AgentRuntime.ListenerUnavailable e) {
      System.err.println(listenerError(e));
      return ExitCodes.UNREADABLE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
    try (runtime) {
      stopped.await();
    }
    return ExitCodes.OK;
  }

  private String listenerError(AgentRuntime.ListenerUnavailable e) {
    return switch (e.listener()) {
      case PROBE ->
          "error: --probe-port "
              + probePort
              + " / --probe-address "
              + probeAddress
              + ": "
              + e.getMessage()
              + ". Nothing was changed on this node. Free the port, or choose another with "
              + "--probe-port (chart value agent.probePort).";
      case METRICS ->
          "error: --metrics-port "
              + metricsPort
              + " / --metrics-address "
              + (metricsAddress == null || metricsAddress.isBlank()
                  ? "(every address)"
                  : metricsAddress)
              + ": "
              + e.getMessage()
              + ". Nothing was changed on this node. Free the port, or choose another with "
              + "--metrics-port (chart value agent.metricsPort) or an address of this node with "
              + "--metrics-address (agent.metricsAddress).";
    };
  }
}
