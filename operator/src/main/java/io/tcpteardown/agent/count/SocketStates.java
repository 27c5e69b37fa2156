package io.tcpteardown.agent.count;

/**
 * TCP sockets (IPv4 and IPv6) in each teardown state in one network namespace, as one dump counted
 * them.
 *
 * @param orphansInDump orphans among them (no owning process); sockstat's orphan count is node-wide
 */
public record SocketStates(
    long finWait1,
    long finWait2,
    long timeWait,
    long closeWait,
    long lastAck,
    long closing,
    long orphansInDump) {}
