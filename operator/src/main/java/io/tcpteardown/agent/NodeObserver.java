package io.tcpteardown.agent;

import io.tcpteardown.agent.count.AdviceEvidence;
import io.tcpteardown.agent.count.KernelStats;
import io.tcpteardown.agent.count.LocalPorts;
import io.tcpteardown.agent.count.NamespaceLook;
import io.tcpteardown.agent.count.SocketStateCounter;
import io.tcpteardown.agent.count.SocketStateCounters;
import io.tcpteardown.agent.count.Sockstat;
import io.tcpteardown.agent.count.TeardownDetails;
import io.tcpteardown.agent.sysctl.NodeMemory;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.KernelCounters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Looks at the kernel of the network namespace it was opened in, as every pod's namespace is looked
 * at ({@link NamespaceLook}), with the counter chosen once (netlink, or /proc/net/tcp when netlink
 * is unavailable). {@code orphans} is sockstat's node-wide count, the one tcp_max_orphans limits.
 * With netlink, the same dump also gathers the advice's evidence ({@link TeardownDetails}); the
 * /proc fallback gathers none. Not thread-safe: one caller at a time.
 */
public final class NodeObserver implements AutoCloseable {
  private final Path procRoot;
  private final SysctlFiles sysctls;
  private final SocketStateCounter counter;
  private final KernelStats kernelStats;
  private final NodeMemory memory;
  private final TeardownDetails details = new TeardownDetails();
  private final byte[] buffer = KernelStats.newBuffer();
  private Optional<KernelCounters> previous = Optional.empty();

  public NodeObserver(Path procRoot) {
    this(procRoot, NodeMemory.of(procRoot, Optional::empty));
  }

  /**
   * @param memory the node's memory, which bounds the advice on maxTwBuckets as the safety rule
   *     bounds maxOrphans
   */
  public NodeObserver(Path procRoot, NodeMemory memory) {
    this.procRoot = procRoot;
    this.sysctls = new SysctlFiles(procRoot);
    this.counter = SocketStateCounters.open(procRoot);
    this.kernelStats = new KernelStats(procRoot);
    this.memory = memory;
  }

  public NodeObservation observe() throws IOException {
    Optional<LocalPorts> ports = LocalPorts.readIfPresent(procRoot.resolve("sys/net/ipv4"), buffer);
    NamespaceLook.Counted counted = NamespaceLook.Counted.by(counter, details, ports);
    Sockstat sockstat = kernelStats.readSockstat();
    NamespaceLook taken =
        NamespaceLook.take(sysctls, counted, kernelStats).withDetails(counted, ports);
    NamespaceLook look =
        new NamespaceLook(
            taken.sysctls(),
            taken.states().withOrphans(sockstat.orphans()),
            taken.countMethod(),
            taken.counters(),
            taken.details());
    var evidence = AdviceEvidence.ofNode(look, previous, memory.bytes().orElse(null));
    previous = Optional.of(look.counters());
    return new NodeObservation(
        look.sysctls(), look.states(), look.counters(), look.countMethod().wire(), evidence);
  }

  @Override
  public void close() {
    counter.close();
  }
}
