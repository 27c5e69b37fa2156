package io.tcpteardown.agent.pods;

import io.tcpteardown.api.SafeText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Finds the network namespaces of a node's processes under a proc root (the host's /proc: the agent
 * runs with hostPID). Each namespace is identified by the inode of {@code /proc/<pid>/ns/net}; the
 * node's own namespace (the one the agent runs in, {@code /proc/self/ns/net}) is left out, so
 * hostNetwork pods are counted there, once. A process that disappears during the scan is skipped.
 */
public final class NamespaceScanner {
  private final Path procRoot;

  public NamespaceScanner(Path procRoot) {
    this.procRoot = procRoot;
  }

  /** The inode of the namespace this process runs in. */
  public OptionalLong ownNamespace() {
    return inode(procRoot.resolve("self/ns/net"));
  }

  /** Every namespace but {@code exclude}, sorted by inode, each with its pod if it has one. */
  public List<NetworkNamespaceRef> scan(long exclude) throws IOException {
    Map<Long, List<Integer>> byInode = new TreeMap<>();
    try (Stream<Path> entries = Files.list(procRoot)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        int pid = pid(entry.getFileName().toString());
        if (pid <= 0) {
          continue;
        }
        OptionalLong inode = inode(entry.resolve("ns/net"));
        if (inode.isPresent() && inode.getAsLong() != exclude) {
          byInode.computeIfAbsent(inode.getAsLong(), k -> new ArrayList<>()).add(pid);
        }
      }
    }
    List<NetworkNamespaceRef> namespaces = new ArrayList<>(byInode.size());
    byInode.forEach(
        (inode, pids) -> {
          pids.sort(null);
          namespaces.add(new NetworkNamespaceRef(inode, pids, podOf(pids)));
        });
    return namespaces;
  }

  /**
   * Each pod's own namespace only: of the namespaces whose processes carry the same pod UID (a pod
   * may create namespaces inside its own), the one holding the pod's lowest pid, its first process
   * (the sandbox, started before any process that could create another). Namespaces outside every
   * pod are kept as they are. So a pod costs one walk of the socket tables per sweep however many
   * namespaces it nests: the bound is one namespace per pod.
   */
  public static List<NetworkNamespaceRef> onePerPod(List<NetworkNamespaceRef> namespaces) {
    Map<String, NetworkNamespaceRef> first = new java.util.HashMap<>();
    for (NetworkNamespaceRef namespace : namespaces) {
      namespace
          .pod()
          .ifPresent(
              pod ->
                  first.merge(
                      pod.podUid(), namespace, (a, b) -> a.firstPid() <= b.firstPid() ? a : b));
    }
    List<NetworkNamespaceRef> kept = new ArrayList<>();
    for (NetworkNamespaceRef namespace : namespaces) {
      if (namespace.pod().map(pod -> first.get(pod.podUid()) == namespace).orElse(true)) {
        kept.add(namespace);
      }
    }
    return kept;
  }

  /** The pod of the first process whose cgroup names one (a pause process may sit higher up). */
  private Optional<PodCgroup> podOf(List<Integer> pids) {
    Optional<PodCgroup> podOnly = Optional.empty();
    for (int pid : pids) {
      Optional<PodCgroup> pod = cgroupOf(pid).flatMap(PodCgroup::parse);
      if (pod.isPresent() && pod.get().containerId().isPresent()) {
        return pod;
      }
      if (podOnly.isEmpty()) {
        podOnly = pod;
      }
    }
    return podOnly;
  }

  /** The most of a {@code /proc/<pid>/cgroup} read: a longer one names no pod. */
  static final int CGROUP_LIMIT = 64 * 1024;

  /**
   * The content of {@code /proc/<pid>/cgroup} (Latin-1: any bytes a cgroup name holds read without
   * a decoding error; pod UIDs and container ids are ASCII), empty when the process is gone or the
   * file is longer than {@link #CGROUP_LIMIT}.
   */
  public Optional<String> cgroupOf(int pid) {
    try (java.io.InputStream in = Files.newInputStream(procRoot.resolve(pid + "/cgroup"))) {
      byte[] bytes = in.readNBytes(CGROUP_LIMIT + 1);
      if (bytes.length > CGROUP_LIMIT) {
        return Optional.empty();
      }
      return Optional.of(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The command name of a process ({@code /proc/<pid>/comm}, 15 bytes the process chooses), empty
   * when it is gone: printable ASCII, every other byte escaped ({@link SafeText}), at most {@value
   * SafeText#MAX_COMMAND} characters.
   */
  public Optional<String> commandOf(int pid) {
    try (InputStream in = Files.newInputStream(procRoot.resolve(pid + "/comm"))) {
      byte[] bytes = in.readNBytes(SafeText.MAX_COMMAND);
      int length = bytes.length;
      if (length > 0 && bytes[length - 1] == '\n') {
        length--;
      }
      return Optional.of(
          SafeText.cap(SafeText.of(java.util.Arrays.copyOf(bytes, length)), SafeText.MAX_COMMAND));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static OptionalLong inode(Path nsLink) {
    try {
      return parseNamespaceLink(Files.readSymbolicLink(nsLink).toString());
    } catch (IOException | UnsupportedOperationException e) {
      return OptionalLong.empty();
    }
  }

  /** {@code net:[4026531992]} to 4026531992. */
  static OptionalLong parseNamespaceLink(String link) {
    if (!link.startsWith("net:[") || !link.endsWith("]")) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(link.substring(5, link.length() - 1)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static int pid(String name) {
    if (name.isEmpty() || name.length() > 9) {
      return -1;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return -1;
      }
    }
    return Integer.parseInt(name);
  }
}
