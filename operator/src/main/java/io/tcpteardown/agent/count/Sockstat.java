package io.tcpteardown.agent.count;

/**
 * The TCP line of /proc/net/sockstat. {@code inUse} and {@code timeWait} are per network namespace;
 * {@code orphans}, {@code alloc} and {@code memPages} are node-wide. Its {@code tw} also counts
 * orphaned FIN_WAIT2 sockets kept as time-wait mini-sockets, so it is not a per-state count.
 */
public record Sockstat(long inUse, long orphans, long timeWait, long alloc, long memPages) {}
