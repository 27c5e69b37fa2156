package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.count.CloseWaitInodes;
import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.agent.count.KernelStats;
import io.tcpteardown.agent.count.NetlinkBuffers;
import io.tcpteardown.agent.count.NetlinkStateCounter;
import io.tcpteardown.agent.count.ProcNetTcpCounter;
import io.tcpteardown.agent.count.SocketStates;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the teardown states of every network namespace on the node but its own: the same netlink
 * dump as for the node, run inside each namespace on the {@link NamespaceThread}; /proc/PID/net/tcp
 * and tcp6 where netlink fails. Per namespace also its own sockstat-free kernel counters (from
 * /proc/PID/net/netstat), its own tcp_max_tw_buckets and whether it has a TCP hash table of its
 * own. One socket per namespace, the dumps' off-heap buffers once per sweeper. A process or pod
 * that disappears mid-sweep is skipped, never an error. A pod is counted in its own namespace only
 * ({@link NamespaceScanner#onePerPod}): namespaces it nests inside add no walk of the socket
 * tables.
 */
public final class PodSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodSweeper.class);

  private final Path procRoot;
  private final NamespaceScanner scanner;
  private final NamespaceThread thread;
  private final NetlinkBuffers buffers = NetlinkBuffers.allocate();
  private final byte[] netstat = KernelStats.newBuffer();
  private final Clock clock;

  public PodSweeper(Path procRoot, Clock clock) throws IOException {
    this.procRoot = procRoot;
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
    return count(NamespaceScanner.onePerPod(included));
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
      try {
        Optional<Inside> inside = entry.call(pid, namespace.inode(), this::countInside);
        if (inside.isEmpty()) {
          continue;
        }
        Path processRoot = procRoot.resolve(Integer.toString(pid));
        SocketStates states = inside.get().states();
        String method = "netlink";
        if (states == null) {
          states = new ProcNetTcpCounter(processRoot).count();
          method = "proc";
        }
        KernelCounters counters = new KernelStats(processRoot).readCounters(netstat);
        return Optional.of(
            new NamespaceCounts(
                namespace,
                states,
                counters,
                inside.get().maxTwBuckets(),
                inside.get().ehash(),
                method,
                clock.instant()));
      } catch (java.nio.file.NoSuchFileException e) {
        // the process went away between the netlink dump and /proc: try the next one
      } catch (IOException e) {
        LOG.debug("namespace {} of pid {} not counted: {}", namespace.inode(), pid, e.getMessage());
      }
    }
    return Optional.empty();
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

  private record Inside(SocketStates states, OptionalLong maxTwBuckets, EhashTable ehash) {}

  /** On the namespace thread, inside the namespace. */
  private Inside countInside() {
    SocketStates states = null;
    try (NetlinkStateCounter netlink = NetlinkStateCounter.open(buffers)) {
      states = netlink.count();
    } catch (IOException | RuntimeException e) {
      LOG.debug("netlink count failed inside a namespace: {}", e.getMessage());
    }
    OptionalLong maxTw;
    try {
      // Opened on this thread, /proc/sys resolves to the namespace the thread is in.
      maxTw = new SysctlFiles(Path.of("/proc")).read(ManagedSysctl.MAX_TW_BUCKETS);
    } catch (IOException | RuntimeException e) {
      maxTw = OptionalLong.empty();
    }
    EhashTable ehash;
    try {
      ehash = EhashTable.read(Path.of("/proc"));
    } catch (IOException | RuntimeException e) {
      ehash = EhashTable.SHARED_UNKNOWN;
    }
    return new Inside(states, maxTw, ehash);
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
