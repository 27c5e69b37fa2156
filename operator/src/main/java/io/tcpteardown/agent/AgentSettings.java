package io.tcpteardown.agent;

import java.time.Duration;

/** What the agent loop needs of its configuration (see the agent command for all flags). */
public record AgentSettings(
    String nodeName, Duration driftCheckInterval, Duration reportInterval) {}
