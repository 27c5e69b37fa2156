package io.tcpteardown.agent;

import io.tcpteardown.agent.count.KernelStats;
import io.tcpteardown.agent.count.SocketStateCounter;
import io.tcpteardown.agent.count.SocketStateCounters;
import io.tcpteardown.agent.count.SocketStates;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Looks at the kernel of the network namespace it was opened in: the six sysctls, the socket states
 * (netlink, or /proc/net/tcp when netlink is unavailable) and /proc/net/sockstat and netstat. The
 * per-state counts cover this namespace; {@code orphans} is sockstat's node-wide count, the one
 * tcp_max_orphans limits. Not thread-safe: one caller at a time.
 */
public final class NodeObserver implements AutoCloseable {
  private final SysctlFiles sysctls;
  private final SocketStateCounter counter;
  private final KernelStats kernelStats;

  public NodeObserver(Path procRoot) {
    this.sysctls = new SysctlFiles(procRoot);
    this.counter = SocketStateCounters.open(procRoot);
    this.kernelStats = new KernelStats(procRoot);
  }

  public NodeObservation observe() throws IOException {
    Map<ManagedSysctl, Long> values = new EnumMap<>(ManagedSysctl.class);
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      OptionalLong value = sysctls.read(sysctl);
      if (value.isPresent()) {
        values.put(sysctl, value.getAsLong());
      }
    }
    SocketStates states = counter.count();
    long orphans = kernelStats.readSockstat().orphans();
    StateCounts counts =
        new StateCounts(
            states.finWait1(),
            states.finWait2(),
            states.timeWait(),
            states.closeWait(),
            states.lastAck(),
            states.closing(),
            orphans);
    return new NodeObservation(values, counts, kernelStats.readCounters(), counter.method());
  }

  @Override
  public void close() {
    counter.close();
  }
}
