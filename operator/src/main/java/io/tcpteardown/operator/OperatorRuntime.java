package io.tcpteardown.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.http.EndpointServer;
import java.io.IOException;
import java.time.Clock;

/** Wires the two controllers, leader election, probes and metrics, and runs them until closed. */
public final class OperatorRuntime implements AutoCloseable {

  private final Operator operator;
  private final EndpointServer health;
  private final EndpointServer metrics;

  private OperatorRuntime(Operator operator, EndpointServer health, EndpointServer metrics) {
    this.operator = operator;
    this.health = health;
    this.metrics = metrics;
  }

  public static OperatorRuntime start(KubernetesClient client, OperatorSettings settings)
      throws IOException {
    Operator operator =
        new Operator(
            overrider -> {
              overrider.withKubernetesClient(client).withCloseClientOnStop(false);
              if (settings.leaderElection()) {
                overrider.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            settings.leaseName())
                        .withLeaseNamespace(settings.leaseNamespace())
                        .build());
              }
            });
    Clock clock = Clock.systemUTC();
    OperatorMetrics operatorMetrics = new OperatorMetrics();
    operator.register(new NodeSettingsReconciler());
    operator.register(
        new ProfileStatusReconciler(
            new ProfileStatusCalculator(new PressureTracker()),
            new ProfileEvents(new EventRecorder(client, "tcp-teardown-operator", null, clock)),
            operatorMetrics,
            clock));
    operator.start();
    var runtime = operator.getRuntimeInfo();
    EndpointServer health =
        EndpointServer.on(settings.healthPort())
            .probe("/healthz", () -> runtime.isStarted() && runtime.allEventSourcesAreHealthy())
            .probe("/readyz", runtime::isStarted)
            .start();
    EndpointServer metricsServer =
        EndpointServer.on(settings.metricsPort()).metrics(operatorMetrics::scrape).start();
    return new OperatorRuntime(operator, health, metricsServer);
  }

  public int healthPort() {
    return health.port();
  }

  public int metricsPort() {
    return metrics.port();
  }

  @Override
  public void close() {
    health.close();
    metrics.close();
    operator.stop();
  }
}
