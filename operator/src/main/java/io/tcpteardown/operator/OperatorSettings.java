package io.tcpteardown.operator;

import java.time.Duration;

/**
 * How the operator runs; read from flags and environment variables by the command line.
 *
 * @param leaseNamespace namespace of the leader-election Lease (and of Events about profiles)
 * @param healthPort port of /healthz and /readyz; 0 picks a free port
 * @param metricsPort port of /metrics; 0 picks a free port
 * @param statusInterval how often at most a profile's live counts are written to its status
 */
public record OperatorSettings(
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    int healthPort,
    int metricsPort,
    Duration statusInterval) {

  public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(15);

  /** Settings with the default status interval. */
  public OperatorSettings(
      boolean leaderElection,
      String leaseName,
      String leaseNamespace,
      int healthPort,
      int metricsPort) {
    this(
        leaderElection,
        leaseName,
        leaseNamespace,
        healthPort,
        metricsPort,
        DEFAULT_STATUS_INTERVAL);
  }
}
