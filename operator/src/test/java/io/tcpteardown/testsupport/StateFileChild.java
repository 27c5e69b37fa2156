package io.tcpteardown.testsupport;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.NamespaceState;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.agent.sysctl.SysctlApplier;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A second process working on a state file, started by kernel tests as its own {@code java}
 * process: under {@code unshare -m} with a tiny tmpfs mounted in its private mount namespace (never
 * visible to the host), or beside the test's own process to contend for the lock. It reports on its
 * standard output, one line per event; the test asserts on the lines.
 *
 * <p>Modes: {@code fill FILE} saves growing pods sections until the file system is full, checking
 * after every save that the file loads to exactly the last successful save; {@code pods FILE PREFIX
 * COUNT} saves COUNT pods, one read-modify-write each; {@code hold FILE MILLIS} holds the file's
 * lock that long; {@code agent-full-disk FILE} applies a profile's value with the sysctl writer on
 * a file system with one free page, then empties the spec.
 */
public final class StateFileChild {
  private StateFileChild() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[1]);
    switch (args[0]) {
      case "fill" -> fill(file);
      case "pods" -> pods(file, args[2], Integer.parseInt(args[3]));
      case "hold" -> hold(file, Long.parseLong(args[2]));
      case "agent-full-disk" -> agentOnFullDisk(file);
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    System.out.flush();
  }

  /** The command line that runs this class in a new JVM with the test's class path. */
  public static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-XX:+UseSerialGC",
            "-Xmx64m",
            "-cp",
            System.getProperty("java.class.path"),
            StateFileChild.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /**
   * {@code unshare -m} with a private tmpfs of {@code size} mounted over {@code directory}, then
   * {@code command}: the mount exists only in the child's mount namespace.
   */
  public static List<String> inPrivateTmpfs(Path directory, String size, List<String> command) {
    List<String> full = new ArrayList<>();
    full.addAll(
        List.of(
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t tmpfs -o size=" + size + " tmpfs \"$0\" && exec \"$@\"",
            directory.toString()));
    full.addAll(command);
    return full;
  }

  /**
   * Runs a child to its end (at most {@code timeout}), its output and errors going to {@code log},
   * and answers the lines; a child that fails or hangs fails the test with its output.
   */
  public static List<String> run(ProcessBuilder builder, Path log, Duration timeout)
      throws Exception {
    Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(
          "the child did not finish within " + timeout + ": " + Files.readString(log));
    }
    List<String> lines = Files.readAllLines(log);
    if (process.exitValue() != 0) {
      throw new AssertionError(
          "the child exited with " + process.exitValue() + ": " + String.join("\n", lines));
    }
    return lines;
  }

  private static void fill(Path path) throws IOException {
    StateFile file = new StateFile(path);
    NamespaceState node = null;
    Map<String, NamespaceState> pods = new TreeMap<>();
    int saved = 0;
    int failed = 0;
    int mismatches = 0;
    for (int i = 0; i < 400 && failed < 12; i++) {
      try {
        if (i % 5 == 4) {
          NamespaceState next =
              new NamespaceState(
                  "boot-" + i,
                  Map.of(ManagedSysctl.FIN_TIMEOUT, 60L + i, ManagedSysctl.TW_REUSE, 2L));
          file.save(next);
          node = next;
        } else {
          String uid = String.format("%08d-0000-4000-8000-%012d", i, i);
          NamespaceState next =
              new NamespaceState(
                  "9a6f3c1e-2b4d-4e8f-a1c3-5d7e9f0b2c4d",
                  Map.of(
                      ManagedSysctl.FIN_TIMEOUT,
                      30L + i,
                      ManagedSysctl.TW_REUSE,
                      1L,
                      ManagedSysctl.MAX_TW_BUCKETS,
                      100_000L + i,
                      ManagedSysctl.ORPHAN_RETRIES,
                      3L));
          file.savePod(uid, next);
          pods.put(uid, next);
        }
        saved++;
        System.out.println("saved " + i + " " + Files.size(path));
      } catch (IOException e) {
        failed++;
        System.out.println("failed " + i + " " + e.getMessage());
      }
      String problem = differences(file, node, pods);
      if (problem != null) {
        mismatches++;
        System.out.println("MISMATCH after " + i + ": " + problem);
      }
      int attempt = i;
      try (Stream<Path> listing = Files.list(path.getParent())) {
        listing
            .map(p -> p.getFileName().toString())
            .filter(name -> name.endsWith(".tmp"))
            .forEach(name -> System.out.println("TEMPORARY after " + attempt + ": " + name));
      }
    }
    System.out.println("DONE saved=" + saved + " failed=" + failed + " mismatches=" + mismatches);
  }

  /** What the file's loads say otherwise than the last successful saves, or null. */
  private static String differences(
      StateFile file, NamespaceState node, Map<String, NamespaceState> pods) {
    try {
      Optional<NamespaceState> loaded = file.loadIfPresent();
      if (node == null
          ? loaded.isPresent()
          : loaded.isEmpty()
              || !Objects.equals(loaded.get().bootId(), node.bootId())
              || !loaded.get().originals().equals(node.originals())) {
        return "node section " + loaded + ", saved " + node;
      }
      Set<String> uids = file.podUids();
      if (!uids.equals(pods.keySet())) {
        return "pods " + uids.size() + " " + uids + ", saved " + pods.size();
      }
      for (var entry : pods.entrySet()) {
        Optional<NamespaceState> pod = file.loadPod(entry.getKey());
        if (!pod.equals(Optional.of(entry.getValue()))) {
          return "pod " + entry.getKey() + " " + pod + ", saved " + entry.getValue();
        }
      }
      return null;
    } catch (Exception e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static void pods(Path path, String prefix, int count) throws IOException {
    StateFile file = new StateFile(path);
    for (int i = 0; i < count; i++) {
      file.savePod(
          prefix + "-" + i, new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 30L + i)));
    }
    System.out.println("DONE " + count);
  }

  private static void hold(Path path, long millis) throws Exception {
    StateFile file = new StateFile(path);
    file.locked(
        () -> {
          System.out.println("locked");
          System.out.flush();
          Thread.sleep(millis);
          // Still holding the lock: a write of this process lands before the waiting one's.
          file.savePod(
              "holder", new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 45L)));
          return null;
        });
    System.out.println("released");
  }

  /**
   * The agent-level case: a state file with pods' originals on a file system with one free
   * page, a profile's value applied, then the spec emptied (the disk still full, then freed).
   */
  private static void agentOnFullDisk(Path path) throws Exception {
    StateFile file = new StateFile(path);
    for (int i = 0; i < 24; i++) {
      file.savePod(
          String.format("%08d-0000-4000-8000-%012d", i, i),
          new NamespaceState(
              "9a6f3c1e-2b4d-4e8f-a1c3-5d7e9f0b2c4d", Map.of(ManagedSysctl.FIN_TIMEOUT, 30L + i)));
    }
    SysctlFiles files = new SysctlFiles(Path.of("/proc"));
    long original = files.read(ManagedSysctl.FIN_TIMEOUT).orElseThrow();
    System.out.println("original " + original + " file " + Files.size(path));
    Path ballast = path.resolveSibling("ballast");
    long usable = Files.getFileStore(path.getParent()).getUsableSpace();
    try (OutputStream out = Files.newOutputStream(ballast)) {
      out.write(new byte[(int) (usable - 4096)]);
    }
    System.out.println("free " + Files.getFileStore(path.getParent()).getUsableSpace() + " bytes");
    SysctlApplier applier = new SysctlApplier(files, file);
    ApplyResult profile =
        applier.apply(TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 20), Map.of());
    System.out.println(
        "profile applied="
            + profile.applied()
            + " kernel="
            + files.read(ManagedSysctl.FIN_TIMEOUT).orElseThrow()
            + " problem="
            + profile.stateFileProblem().orElse("none"));
    ApplyResult emptied = applier.apply(TeardownSettings.NONE, Map.of());
    System.out.println(
        "emptied on the full disk kernel="
            + files.read(ManagedSysctl.FIN_TIMEOUT).orElseThrow()
            + " problem="
            + emptied.stateFileProblem().orElse("none"));
    Files.delete(ballast);
    ApplyResult freed = applier.apply(TeardownSettings.NONE, Map.of());
    System.out.println(
        "emptied with space kernel="
            + files.read(ManagedSysctl.FIN_TIMEOUT).orElseThrow()
            + " problem="
            + freed.stateFileProblem().orElse("none"));
    System.out.println("pods " + file.podUids().size());
  }
}
