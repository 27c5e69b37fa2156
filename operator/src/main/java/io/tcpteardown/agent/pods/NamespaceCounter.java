package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.count.CloseWaitInodes;
import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.agent.count.KernelStats;
import io.tcpteardown.agent.count.LocalPorts;
import io.tcpteardown.agent.count.NamespaceLook;
import io.tcpteardown.agent.count.NetlinkBuffers;
import io.tcpteardown.agent.count.NetlinkStateCounter;
import io.tcpteardown.agent.count.ProcNetTcpCounter;
import io.tcpteardown.agent.count.SocketStateCounters;
import io.tcpteardown.agent.count.TeardownDetails;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.ManagedSysctl;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the teardown states of every network namespace on the node but its own: the node's look
 * ({@link NamespaceLook}: netlink dump, /proc/PID/net/tcp and tcp6 where netlink fails, sysctls,
 * /proc/PID/net/netstat counters), taken inside each namespace on the {@link NamespaceThread}, and
 * whether the namespace has a TCP hash table of its own; what rarely changes there (sysctls, port
 * range, hash table) is kept between sweeps in {@link NamespaceFacts}. A sweep hands all its
 * namespaces to that thread at once; one socket per namespace, the dumps' off-heap buffers and the
 * netstat buffer once per counter. A process or pod that disappears mid-sweep is skipped, never an
 * error. A pod is counted in its own namespace only ({@link NamespaceScanner#onePerPod}):
 * namespaces it nests inside add no walk of the socket tables.
 */
public final class NamespaceCounter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceCounter.class);

  private final Path procRoot;
  private final NamespaceScanner scanner;
  private final NamespaceThread thread;
  private final TeardownDetails details = new TeardownDetails();
  private final NetlinkBuffers buffers = NetlinkBuffers.allocate();
  private final byte[] netstat = KernelStats.newBuffer();
  private final Clock clock;
  private final NamespaceFacts facts;

  public NamespaceCounter(Path procRoot, Clock clock) throws IOException {
    this(procRoot, clock, NamespaceFacts.keptFiveMinutes());
  }

  /**
   * A counter that keeps what rarely changes in {@code facts}, which the pod tuner also forgets.
   */
  public NamespaceCounter(Path procRoot, Clock clock, NamespaceFacts facts) throws IOException {
    this.procRoot = procRoot;
    this.facts = facts;
    this.scanner = new NamespaceScanner(procRoot);
    this.thread = NamespaceThread.start(procRoot);
    this.clock = clock;
  }

  /** Every namespace other than the one this process runs in, counted. */
  public List<NamespaceCounts> sweep() throws IOException {
    return sweep(namespace -> true);
  }

  /** The namespaces {@code include} accepts, other than the one this process runs in, counted. */
  public List<NamespaceCounts> sweep(java.util.function.Predicate<NetworkNamespaceRef> include)
      throws IOException {
    OptionalLong own = scanner.ownNamespace();
    if (own.isEmpty()) {
      throw new IOException("cannot read " + procRoot.resolve("self/ns/net"));
    }
    List<NetworkNamespaceRef> included = new ArrayList<>();
    for (NetworkNamespaceRef namespace : scanner.scan(own.getAsLong())) {
      if (include.test(namespace)) {
        included.add(namespace);
      }
    }
    List<NetworkNamespaceRef> counted = NamespaceScanner.onePerPod(included);
    facts.retainOnly(
        counted.stream()
            .map(NetworkNamespaceRef::inode)
            .collect(java.util.stream.Collectors.toSet()));
    return count(counted);
  }

  /**
   * Each namespace counted, all on the namespace thread at once; those whose processes are gone
   * left out.
   */
  public List<NamespaceCounts> count(List<NetworkNamespaceRef> namespaces) throws IOException {
    return thread.batch(
        entry -> {
          List<NamespaceCounts> counted = new ArrayList<>();
          for (NetworkNamespaceRef namespace : namespaces) {
            count(entry, namespace).ifPresent(counted::add);
          }
          return counted;
        });
  }

  /** One namespace, or empty when its processes are gone. */
  public Optional<NamespaceCounts> count(NetworkNamespaceRef namespace) {
    try {
      return thread.batch(entry -> count(entry, namespace));
    } catch (IOException e) {
      LOG.debug("namespace {} not counted: {}", namespace.inode(), e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<NamespaceCounts> count(
      NamespaceThread.Entry entry, NetworkNamespaceRef namespace) {
    for (int pid : namespace.pids()) {
      Path processRoot = procRoot.resolve(Integer.toString(pid));
      try {
        Optional<Inside> inside =
            entry.call(
                pid, namespace.inode(), () -> lookInside(namespace.inode(), pid, processRoot));
        if (inside.isPresent()) {
          return Optional.of(
              NamespaceCounts.of(
                  namespace, inside.get().look(), inside.get().ehash(), clock.instant()));
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // the process went away between the netlink dump and /proc: try the next one
      } catch (IOException e) {
        LOG.debug("namespace {} of pid {} not counted: {}", namespace.inode(), pid, e.getMessage());
      }
    }
    return Optional.empty();
  }

  private record Inside(NamespaceLook look, Optional<EhashTable> ehash) {}

  /**
   * On the namespace thread, inside namespace {@code inode} entered through {@code pid}: the node's
   * look ({@link NamespaceLook}) with what rarely changes taken from {@link NamespaceFacts}, its
   * sockets and counters read now through the process's /proc. The dump and the netstat read reuse
   * this counter's buffers: only the namespace thread uses them.
   */
  private Inside lookInside(long inode, int pid, Path processRoot) throws IOException {
    NamespaceFacts.Facts known = facts.get(inode, pid, clock.instant(), this::readFacts);
    NamespaceLook.Counted counted =
        SocketStateCounters.countOnce(processRoot, buffers, details, known.ports());
    KernelStats stats = new KernelStats(processRoot);
    NamespaceLook look =
        new NamespaceLook(
            known.sysctls(), counted.states(), counted.method(), stats.readCounters(netstat));
    if (counted.details().isPresent()) {
      look = look.withDetails(counted, known.ports());
    }
    return new Inside(look, known.ehash());
  }

  /**
   * On the namespace thread: its sysctls and port range through /proc/sys (which resolves to the
   * namespace of the thread that opens it) and its TCP hash table (empty when it cannot be read).
   */
  private NamespaceFacts.Facts readFacts() throws IOException {
    Optional<LocalPorts> ports = LocalPorts.readIfPresent(Path.of("/proc/sys/net/ipv4"), netstat);
    Map<ManagedSysctl, Long> sysctls = NamespaceLook.readSysctls(new SysctlFiles(Path.of("/proc")));
    Optional<EhashTable> ehash;
    try {
      ehash = Optional.of(EhashTable.read(Path.of("/proc")));
    } catch (IOException | RuntimeException e) {
      ehash = Optional.empty();
    }
    return new NamespaceFacts.Facts(sysctls, ports, ehash);
  }

  /**
   * Fills {@code into} with the inodes of the CLOSE_WAIT sockets of {@code namespace}: a netlink
   * dump filtered to that state in the kernel, run inside the namespace; where netlink fails, a
   * streaming parse of /proc/PID/net/tcp and tcp6. Either way nothing per socket is kept beyond
   * {@code into}'s capacity. Answers whether a process of the namespace could be read; {@code into}
   * is empty when not.
   */
  public boolean closeWaitInodes(NetworkNamespaceRef namespace, CloseWaitInodes into) {
    for (int pid : namespace.pids()) {
      try {
        Optional<Boolean> dumped = thread.call(pid, namespace.inode(), () -> closeWaitInside(into));
        if (dumped.isEmpty()) {
          continue;
        }
        if (!dumped.get()) {
          new ProcNetTcpCounter(procRoot.resolve(Integer.toString(pid))).closeWaitInodes(into);
        }
        return true;
      } catch (IOException e) {
        // the process went away, or its /proc cannot be read: try the next one
        into.clear();
        LOG.debug(
            "CLOSE_WAIT of namespace {} not read through pid {}: {}",
            namespace.inode(),
            pid,
            e.getMessage());
      }
    }
    into.clear();
    return false;
  }

  /** On the namespace thread: whether the netlink dump worked. */
  private boolean closeWaitInside(CloseWaitInodes into) {
    try (NetlinkStateCounter netlink = NetlinkStateCounter.open(buffers)) {
      netlink.closeWaitInodes(into);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.debug("netlink CLOSE_WAIT dump failed inside a namespace: {}", e.getMessage());
      into.clear();
      return false;
    }
  }

  /** CPU time of the namespace thread so far: the part of a sweep spent inside namespaces. */
  public long namespaceThreadCpuNanos() {
    return thread.cpuNanos();
  }

  @Override
  public void close() {
    thread.close();
    buffers.close();
  }
}
