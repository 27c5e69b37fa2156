package io.tcpteardown.operator;

/**
 * How the operator runs; read from flags and environment variables by the command line.
 *
 * @param leaseNamespace namespace of the leader-election Lease (and of Events about profiles)
 * @param healthPort port of /healthz and /readyz; 0 picks a free port
 * @param metricsPort port of /metrics; 0 picks a free port
 */
public record OperatorSettings(
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    int healthPort,
    int metricsPort) {}
