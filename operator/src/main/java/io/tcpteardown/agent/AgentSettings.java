package io.tcpteardown.agent;

import java.nio.file.Path;
import java.time.Duration;

/** The agent's configuration, from flags or environment variables (see the agent command). */
public record AgentSettings(
    String nodeName,
    String podName,
    Path procRoot,
    Path stateFile,
    Duration driftCheckInterval,
    Duration reportInterval,
    int metricsPort) {
}
