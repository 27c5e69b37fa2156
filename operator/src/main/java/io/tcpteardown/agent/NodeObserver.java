package io.tcpteardown.agent;

import io.tcpteardown.agent.count.KernelStats;
import io.tcpteardown.agent.count.NamespaceLook;
import io.tcpteardown.agent.count.SocketStateCounter;
import io.tcpteardown.agent.count.SocketStateCounters;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Looks at the kernel of the network namespace it was opened in, as every pod's namespace is looked
 * at ({@link NamespaceLook}), with the counter chosen once (netlink, or /proc/net/tcp when netlink
 * is unavailable). {@code orphans} is sockstat's node-wide count, the one tcp_max_orphans limits.
 * Not thread-safe: one caller at a time.
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
    NamespaceLook look =
        NamespaceLook.take(sysctls, NamespaceLook.Counted.by(counter), kernelStats);
    return new NodeObservation(
        look.sysctls(),
        look.states().withOrphans(kernelStats.readSockstat().orphans()),
        look.counters(),
        look.countMethod().wire());
  }

  @Override
  public void close() {
    counter.close();
  }
}
