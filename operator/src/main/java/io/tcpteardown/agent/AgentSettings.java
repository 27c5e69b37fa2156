package io.tcpteardown.agent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Every flag of the agent, read from flags and environment variables by the command line (the
 * flags, their variables and defaults: docs/configuration.md).
 *
 * @param nodeName this node's name, the name of its TcpTeardownNode
 * @param podName this agent's pod, reported in status; blank when unknown
 * @param procRoot where proc is mounted
 * @param stateFile the node-local file of original values
 * @param driftCheckInterval how often managed values are re-read and written back if changed
 * @param reportInterval how long after its last write status is written when nothing changed
 * @param metricsPort port of /metrics and /healthz; 0 picks a free one
 * @param metricsAddress address of /metrics and /healthz; blank for every address
 * @param probePort port of the probe listener; 0 picks a free one, -1 for none
 * @param probeAddress address of the probe listener
 * @param pods whether the pods' network namespaces are counted and tuned
 * @param podSweepCpuBudget share of one core the pod sweeps and tuning rescans may use
 * @param podSweepMinInterval shortest pause between two pod sweeps
 * @param statusPodLimit pods listed in status.pods
 * @param podMetricsLimit pods with per-pod metrics
 * @param closeWaitThreshold CLOSE_WAIT sockets from which a pod's leak is suspected
 */
public record AgentSettings(
    String nodeName,
    String podName,
    Path procRoot,
    Path stateFile,
    Duration driftCheckInterval,
    Duration reportInterval,
    int metricsPort,
    String metricsAddress,
    int probePort,
    String probeAddress,
    boolean pods,
    double podSweepCpuBudget,
    Duration podSweepMinInterval,
    int statusPodLimit,
    int podMetricsLimit,
    long closeWaitThreshold) {

  /** Whether the kubelet's probes get a listener of their own. */
  public boolean probeListener() {
    return probePort >= 0;
  }
}
