package io.tcpteardown.operator;

import java.time.Duration;

/**
 * How the operator runs; read from flags and environment variables by the command line.
 *
 * @param leaseNamespace namespace of the leader-election Lease (and of Events about profiles)
 * @param healthPort port of /healthz and /readyz; 0 picks a free port
 * @param metricsPort port of /metrics; 0 picks a free port
 * @param statusInterval how often at most a profile's live counts are written to its status
 * @param agentReportInterval how often the agents report when nothing changes (the chart passes the
 *     agents' own setting); an agent silent for {@link #agentSilenceLimit()} is not reporting
 */
public record OperatorSettings(
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    int healthPort,
    int metricsPort,
    Duration statusInterval,
    Duration agentReportInterval) {

  public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_AGENT_REPORT_INTERVAL = Duration.ofSeconds(60);

  /** Settings with the agents' default report interval. */
  public OperatorSettings(
      boolean leaderElection,
      String leaseName,
      String leaseNamespace,
      int healthPort,
      int metricsPort,
      Duration statusInterval) {
    this(
        leaderElection,
        leaseName,
        leaseNamespace,
        healthPort,
        metricsPort,
        statusInterval,
        DEFAULT_AGENT_REPORT_INTERVAL);
  }

  /**
   * Two report intervals and a minute: an agent writes at least once per interval (±10% jitter), so
   * one missed report and a slow API server do not count.
   */
  public Duration agentSilenceLimit() {
    return agentReportInterval.multipliedBy(2).plusMinutes(1);
  }

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
