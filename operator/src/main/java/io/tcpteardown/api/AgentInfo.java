package io.tcpteardown.api;

/** The node agent that reports a TcpTeardownNode's status. */
public record AgentInfo(String podName, String version) {}
