package io.tcpteardown.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.operator.OperatorRuntime;
import io.tcpteardown.operator.OperatorSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "operator",
    description = {
      "Runs the operator: resolves profiles into one TcpTeardownNode per node and reports profile status.",
      "In a cluster it uses its service account; elsewhere the current kubeconfig context."
    })
public final class OperatorCommand implements Callable<Integer> {
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

  @Override
  public Integer call() throws Exception {
    KubernetesClient client = new KubernetesClientBuilder().build();
    OperatorSettings settings =
        new OperatorSettings(leaderElection, leaseName, leaseNamespace, healthPort, metricsPort);
    CountDownLatch stopped = new CountDownLatch(1);
    try (OperatorRuntime runtime = OperatorRuntime.start(client, settings)) {
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return ExitCodes.OK;
  }
}
