package io.tcpteardown.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.operator.OperatorClient;
import io.tcpteardown.operator.OperatorRuntime;
import io.tcpteardown.operator.OperatorSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "operator",
    description = {
      "Runs the operator: resolves profiles into one TcpTeardownNode per node and reports profile status.",
      "In a cluster it uses its service account; elsewhere the current kubeconfig context."
    })
public final class OperatorCommand implements Callable<Integer> {
  /** The operator lost its leader Lease and stopped; the pod restarts and waits to lead again. */
  static final int LOST_LEADERSHIP = 1;

  @Option(
      names = "--leader-election",
      defaultValue = "${env:LEADER_ELECTION:-true}",
      arity = "1",
      description =
          "Elect a leader through a Lease so that several replicas are safe (env LEADER_ELECTION, "
              + "default true).")
  boolean leaderElection;

  @Option(
      names = "--lease-name",
      defaultValue = "${env:LEASE_NAME:-tcp-teardown-operator}",
      description = "Name of the leader-election Lease (env LEASE_NAME, default ${DEFAULT-VALUE}).")
  String leaseName;

  @Option(
      names = "--lease-namespace",
      defaultValue = "${env:POD_NAMESPACE:-default}",
      description =
          "Namespace of the leader-election Lease (env POD_NAMESPACE, default ${DEFAULT-VALUE}).")
  String leaseNamespace;

  @Option(
      names = "--health-port",
      defaultValue = "${env:HEALTH_PORT:-8081}",
      description = "Port of /healthz and /readyz (env HEALTH_PORT, default ${DEFAULT-VALUE}).")
  int healthPort;

  @Option(
      names = "--metrics-port",
      defaultValue = "${env:METRICS_PORT:-8080}",
      description = "Port of /metrics for Prometheus (env METRICS_PORT, default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--status-interval",
      defaultValue = "${env:STATUS_INTERVAL:-15s}",
      converter = DurationConverter.class,
      description =
          "How often at most a profile's live counts (totals, per-node counts, messages) are"
              + " written to its status; condition changes are written at once (env"
              + " STATUS_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration statusInterval;

  @Option(
      names = "--agent-report-interval",
      defaultValue = "${env:AGENT_REPORT_INTERVAL:-60s}",
      converter = DurationConverter.class,
      description =
          "The agents' report interval (the chart passes the agents' own): a node whose agent has"
              + " not reported for two intervals and a minute gets the metric"
              + " tcp_teardown_node_agent_silent_seconds (env AGENT_REPORT_INTERVAL, default"
              + " ${DEFAULT-VALUE}).")
  Duration agentReportInterval;

  /** Every flag's value. */
  OperatorSettings settings() {
    return new OperatorSettings(
        leaderElection,
        leaseName,
        leaseNamespace,
        healthPort,
        metricsPort,
        statusInterval,
        agentReportInterval);
  }

  @Override
  public Integer call() throws Exception {
    KubernetesClient client = OperatorClient.create(Config.autoConfigure(null));
    OperatorRuntime runtime = OperatorRuntime.start(client, settings());
    // SIGTERM: the hook itself stops the controllers and gives the Lease up before the JVM halts
    // (a hook that only wakes the main thread lets the JVM halt before the main thread is done).
    Thread shutdown = new Thread(runtime::close, "operator-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    runtime.lostLeadership().join();
    System.err.println(
        "error: lost the leader Lease "
            + leaseNamespace
            + "/"
            + leaseName
            + " (a renewal was refused or failed past the renew deadline; see the log above):"
            + " stopping so that another replica leads");
    try {
      Runtime.getRuntime().removeShutdownHook(shutdown);
    } catch (IllegalStateException shuttingDown) {
      return LOST_LEADERSHIP;
    }
    runtime.close();
    return LOST_LEADERSHIP;
  }
}
