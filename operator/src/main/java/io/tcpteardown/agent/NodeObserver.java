package io.tcpteardown.agent;

import io.tcpteardown.agent.count.KernelStats;
import io.tcpteardown.agent.count.LocalPorts;
import io.tcpteardown.agent.count.NamespaceLook;
import io.tcpteardown.agent.count.NetlinkStateCounter;
import io.tcpteardown.agent.count.SocketStateCounter;
import io.tcpteardown.agent.count.SocketStateCounters;
import io.tcpteardown.agent.count.Sockstat;
import io.tcpteardown.agent.count.TeardownDetails;
import io.tcpteardown.agent.sysctl.NodeMemory;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.rules.advice.NamespaceEvidence;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the kernel of the network namespace it was opened in, as every pod's namespace is looked
 * at ({@link NamespaceLook}), with the counter chosen once (netlink, or /proc/net/tcp when netlink
 * is unavailable). {@code orphans} is sockstat's node-wide count, the one tcp_max_orphans limits.
 * With netlink, the same dump also gathers the advice's evidence ({@link TeardownDetails}: ports
 * per destination, unanswered FINs, orphans in FIN_WAIT2); the /proc fallback gathers none. Not
 * thread-safe: one caller at a time.
 */
public final class NodeObserver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeObserver.class);
  private final Path procRoot;
  private final SysctlFiles sysctls;
  private final SocketStateCounter counter;
  private final KernelStats kernelStats;
  private final NodeMemory memory;
  private final TeardownDetails details = new TeardownDetails();
  private Optional<KernelCounters> previous = Optional.empty();
  private boolean portsUnreadableLogged;

  public NodeObserver(Path procRoot) {
    this(procRoot, NodeMemory.of(procRoot, Optional::empty));
  }

  /**
   * @param memory the node's memory, which bounds the advice on maxOrphans as the safety rule does
   */
  public NodeObserver(Path procRoot, NodeMemory memory) {
    this.procRoot = procRoot;
    this.sysctls = new SysctlFiles(procRoot);
    this.counter = SocketStateCounters.open(procRoot);
    this.kernelStats = new KernelStats(procRoot);
    this.memory = memory;
  }

  public NodeObservation observe() throws IOException {
    Optional<LocalPorts> ports =
        counter instanceof NetlinkStateCounter ? localPorts() : Optional.empty();
    NamespaceLook.Counted counted;
    if (counter instanceof NetlinkStateCounter netlink && ports.isPresent()) {
      details.reset(ports.get());
      counted = new NamespaceLook.Counted(netlink.count(details), counter.method());
    } else {
      counted = NamespaceLook.Counted.by(counter);
    }
    NamespaceLook look = NamespaceLook.take(sysctls, counted, kernelStats);
    Sockstat sockstat = kernelStats.readSockstat();
    var states = look.states().withOrphans(sockstat.orphans());
    Optional<NamespaceEvidence> evidence =
        ports.map(
            p ->
                AdviceEvidence.of(
                    look.sysctls(),
                    p,
                    states,
                    details.result(),
                    sockstat.timeWait(),
                    previous,
                    look.counters(),
                    memory.bytes().orElse(null)));
    previous = Optional.of(look.counters());
    return new NodeObservation(
        look.sysctls(), states, look.counters(), look.countMethod().wire(), evidence);
  }

  /** The port range, or nothing (and no advice) where it cannot be read: counting goes on. */
  private Optional<LocalPorts> localPorts() {
    try {
      return Optional.of(LocalPorts.read(procRoot.resolve("sys/net/ipv4")));
    } catch (IOException e) {
      if (!portsUnreadableLogged) {
        portsUnreadableLogged = true;
        LOG.warn("no advice for the node's namespace: {}", e.getMessage());
      }
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    counter.close();
  }
}
