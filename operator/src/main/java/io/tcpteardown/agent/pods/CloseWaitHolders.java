package io.tcpteardown.agent.pods;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Names the processes that hold a namespace's CLOSE_WAIT sockets: the peer closed those connections
 * and these processes have not called close(). The socket inodes come from {@code
 * /proc/PID/net/tcp} and {@code tcp6} of a process in the namespace (read only when a leak is
 * suspected), and each inode is looked up among the file descriptors of that namespace's processes
 * only ({@code /proc/PID/fd/* -> socket:[inode]}). Processes that go away meanwhile are skipped.
 */
public final class CloseWaitHolders {
  private static final String CLOSE_WAIT = "08";

  /**
   * One process holding CLOSE_WAIT sockets.
   *
   * @param containerId its container, from its cgroup path, when it has one
   */
  public record Holder(int pid, String command, Optional<String> containerId, long sockets) {}

  private final Path procRoot;
  private final NamespaceScanner scanner;

  public CloseWaitHolders(Path procRoot) {
    this.procRoot = procRoot;
    this.scanner = new NamespaceScanner(procRoot);
  }

  /** The holders among the namespace's processes, most sockets first. */
  public List<Holder> find(NetworkNamespaceRef namespace) throws IOException {
    Set<Long> inodes = closeWaitInodes(namespace);
    List<Holder> holders = new ArrayList<>();
    if (inodes.isEmpty()) {
      return holders;
    }
    for (int pid : namespace.pids()) {
      long held = countHeld(pid, inodes);
      if (held > 0) {
        holders.add(
            new Holder(
                pid,
                scanner.commandOf(pid).orElse("?"),
                scanner.cgroupOf(pid).flatMap(PodCgroup::parse).flatMap(PodCgroup::containerId),
                held));
      }
    }
    holders.sort(Comparator.comparingLong(Holder::sockets).reversed());
    return holders;
  }

  private Set<Long> closeWaitInodes(NetworkNamespaceRef namespace) throws IOException {
    for (int pid : namespace.pids()) {
      try {
        Set<Long> inodes = new HashSet<>();
        Path net = procRoot.resolve(pid + "/net");
        addCloseWait(Files.readAllLines(net.resolve("tcp")), inodes);
        if (Files.exists(net.resolve("tcp6"))) {
          addCloseWait(Files.readAllLines(net.resolve("tcp6")), inodes);
        }
        return inodes;
      } catch (NoSuchFileException e) {
        // this process is gone: ask the next one of the namespace
      }
    }
    return Set.of();
  }

  /** The inodes of the CLOSE_WAIT sockets of /proc/net/tcp or tcp6 lines. */
  static void addCloseWait(List<String> lines, Set<Long> inodes) {
    for (int i = 1; i < lines.size(); i++) {
      String[] fields = lines.get(i).trim().split("\\s+");
      if (fields.length > 9 && CLOSE_WAIT.equals(fields[3])) {
        try {
          long inode = Long.parseLong(fields[9]);
          if (inode != 0) {
            inodes.add(inode);
          }
        } catch (NumberFormatException e) {
          // not a socket line
        }
      }
    }
  }

  private long countHeld(int pid, Set<Long> inodes) {
    long held = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(procRoot.resolve(pid + "/fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")
              && inodes.contains(Long.parseLong(target.substring(8, target.length() - 1)))) {
            held++;
          }
        } catch (IOException | NumberFormatException e) {
          // a descriptor closed meanwhile
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return held;
  }
}
