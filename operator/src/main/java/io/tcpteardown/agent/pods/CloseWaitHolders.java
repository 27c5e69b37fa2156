package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.count.CloseWaitInodes;
import io.tcpteardown.agent.count.ProcNetTcpCounter;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Names the processes that hold a namespace's CLOSE_WAIT sockets: the peer closed those connections
 * and these processes have not called close(). The socket inodes come from an {@link InodeSource}
 * (in the agent, a netlink dump filtered to CLOSE_WAIT in the kernel, run inside the namespace),
 * and each inode is looked up among the file descriptors of that namespace's processes only ({@code
 * /proc/PID/fd/* -> socket:[inode]}, read as a stream). Processes that go away meanwhile are
 * skipped.
 *
 * <p>Memory is bounded whatever the tenant holds: at most {@link CloseWaitInodes#DEFAULT_CAPACITY}
 * inodes (512 KiB) and at most {@link #MAX_HOLDERS} holders are kept; what did not fit is counted
 * exactly in the {@link Scan}. Beyond the inode capacity, a holder's count covers only the kept
 * inodes (a lower bound), and {@link Scan#inodesNotKept} says how many sockets went unattributed.
 */
public final class CloseWaitHolders {
  /** The most holders kept per namespace (those holding the most sockets). */
  public static final int MAX_HOLDERS = 1024;

  /**
   * One process holding CLOSE_WAIT sockets.
   *
   * @param containerId its container, from its cgroup path, when it has one
   */
  public record Holder(int pid, String command, Optional<String> containerId, long sockets) {}

  /**
   * What one look at a namespace found.
   *
   * @param holders at most {@link #MAX_HOLDERS}, most sockets first
   * @param holdersNotKept holders beyond those, exactly
   * @param socketsNotKept the CLOSE_WAIT sockets of the holders not kept, exactly (of kept inodes)
   * @param inodesKept the CLOSE_WAIT inodes looked for
   * @param inodesNotKept the CLOSE_WAIT sockets beyond the inode capacity, not attributed
   */
  public record Scan(
      List<Holder> holders,
      long holdersNotKept,
      long socketsNotKept,
      int inodesKept,
      long inodesNotKept) {
    public Scan {
      holders = List.copyOf(holders);
    }
  }

  /** Where the CLOSE_WAIT inodes of a namespace come from. */
  @FunctionalInterface
  public interface InodeSource {
    /** Fills {@code into}; answers false when no process of the namespace could be read. */
    boolean closeWaitInodes(NetworkNamespaceRef namespace, CloseWaitInodes into);
  }

  private final Path procRoot;
  private final NamespaceScanner scanner;
  private final InodeSource source;
  private final CloseWaitInodes inodes;

  public CloseWaitHolders(Path procRoot, InodeSource source) {
    this(procRoot, source, new CloseWaitInodes());
  }

  CloseWaitHolders(Path procRoot, InodeSource source, CloseWaitInodes inodes) {
    this.procRoot = procRoot;
    this.scanner = new NamespaceScanner(procRoot);
    this.source = source;
    this.inodes = inodes;
  }

  /**
   * Reading the inodes from {@code /proc/PID/net/tcp} and {@code tcp6} of a process of the
   * namespace (streamed, no line kept): for tools that do not enter namespaces.
   */
  public static CloseWaitHolders fromProcFiles(Path procRoot) {
    return new CloseWaitHolders(
        procRoot, (namespace, into) -> readProcFiles(procRoot, namespace, into));
  }

  private static boolean readProcFiles(
      Path procRoot, NetworkNamespaceRef namespace, CloseWaitInodes into) {
    for (int pid : namespace.pids()) {
      try {
        new ProcNetTcpCounter(procRoot.resolve(Integer.toString(pid))).closeWaitInodes(into);
        return true;
      } catch (IOException e) {
        // this process is gone: ask the next one of the namespace
      }
    }
    into.clear();
    return false;
  }

  /**
   * The holders among the namespace's processes, most sockets first, at most {@link #MAX_HOLDERS}.
   */
  public List<Holder> find(NetworkNamespaceRef namespace) {
    return scan(namespace).holders();
  }

  /** One look at the namespace: its holders, bounded, and exact counts of what was not kept. */
  public synchronized Scan scan(NetworkNamespaceRef namespace) {
    inodes.clear();
    if (!source.closeWaitInodes(namespace, inodes) || inodes.isEmpty()) {
      long notKept = inodes.dropped();
      inodes.clear();
      return new Scan(List.of(), 0, 0, 0, notKept);
    }
    Comparator<Holder> fewestFirst = Comparator.comparingLong(Holder::sockets);
    PriorityQueue<Holder> kept = new PriorityQueue<>(fewestFirst);
    long holdersNotKept = 0;
    long socketsNotKept = 0;
    for (int pid : namespace.pids()) {
      long held = countHeld(pid);
      if (held <= 0) {
        continue;
      }
      if (kept.size() == MAX_HOLDERS) {
        if (kept.peek().sockets() >= held) {
          holdersNotKept++;
          socketsNotKept += held;
          continue;
        }
        Holder out = kept.poll();
        holdersNotKept++;
        socketsNotKept += out.sockets();
      }
      kept.add(
          new Holder(
              pid,
              scanner.commandOf(pid).orElse("?"),
              scanner.cgroupOf(pid).flatMap(PodCgroup::parse).flatMap(PodCgroup::containerId),
              held));
    }
    List<Holder> holders = new ArrayList<>(kept);
    holders.sort(fewestFirst.reversed());
    Scan scan = new Scan(holders, holdersNotKept, socketsNotKept, inodes.kept(), inodes.dropped());
    inodes.clear();
    return scan;
  }

  private long countHeld(int pid) {
    long held = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(procRoot.resolve(pid + "/fd"))) {
      for (Path fd : fds) {
        try {
          long inode = socketInode(Files.readSymbolicLink(fd).toString());
          if (inodes.contains(inode)) {
            held++;
          }
        } catch (IOException e) {
          // a descriptor closed meanwhile
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      return held;
    }
    return held;
  }

  /** The inode of a descriptor link {@code socket:[12345]}, 0 for anything else. */
  static long socketInode(String target) {
    if (!target.startsWith("socket:[") || !target.endsWith("]") || target.length() > 29) {
      return 0;
    }
    try {
      return Long.parseLong(target, 8, target.length() - 1, 10);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
