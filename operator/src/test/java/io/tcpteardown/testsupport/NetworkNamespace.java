package io.tcpteardown.testsupport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway named network namespace ({@code ip netns add}) for kernel tests. Work that must see
 * the namespace runs on one dedicated platform thread that has joined it with setns(2): sockets
 * created and /proc/sys files opened on that thread belong to the namespace. Nothing here touches
 * the host namespace.
 */
public final class NetworkNamespace implements AutoCloseable {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY = 0;

  private final String name;
  private final ExecutorService thread;
  private final Path procRoot;

  private NetworkNamespace(String name, List<String> creator) throws IOException {
    this.name = name;
    List<String> add = new ArrayList<>(creator);
    add.addAll(List.of("ip", "netns", "add", name));
    run(add.toArray(String[]::new));
    run("ip", "-n", name, "link", "set", "lo", "up");
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("netns-" + name).unstarted(r));
    this.procRoot = Files.createTempDirectory("procroot-" + name);
    Files.createSymbolicLink(procRoot.resolve("sys"), Path.of("/proc/sys"));
    Files.createSymbolicLink(procRoot.resolve("net"), Path.of("/proc/thread-self/net"));
    call(
        () -> {
          joinNamespace(Path.of("/var/run/netns", name));
          return null;
        });
  }

  /**
   * Creates a fresh namespace with loopback up; skips the test outside CI when that is impossible
   * here.
   */
  public static NetworkNamespace create(String prefix) {
    requireNamespaces();
    try {
      return new NetworkNamespace(
          prefix + "-" + UUID.randomUUID().toString().substring(0, 8), List.of());
    } catch (IOException e) {
      throw new IllegalStateException("could not create a network namespace", e);
    }
  }

  /**
   * A fresh namespace created from inside {@code parent} ({@code ip netns add} run under {@code
   * nsenter --net}), as a container runtime creates a pod's from the node's: the kernel sizes its
   * TCP hash table from the parent's {@code net.ipv4.tcp_child_ehash_entries} (Linux 6.1+).
   */
  public static NetworkNamespace createChild(NetworkNamespace parent, String prefix) {
    requireNamespaces();
    try {
      return new NetworkNamespace(
          prefix + "-" + UUID.randomUUID().toString().substring(0, 8),
          List.of("nsenter", "--net=/var/run/netns/" + parent.name()));
    } catch (IOException e) {
      throw new IllegalStateException("could not create a network namespace", e);
    }
  }

  /**
   * Outside CI a machine without root or iproute2 skips; under CI=true such a machine is an error.
   */
  public static void requireNamespaces() {
    boolean hasIp =
        Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
    boolean available = hasIp && isRoot();
    if (!available) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(
            "kernel tests need root and iproute2 (ip netns); under CI=true they may not skip");
      }
      Assumptions.abort("needs root and iproute2 to create network namespaces");
    }
  }

  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  public String name() {
    return name;
  }

  /**
   * A proc root for code that reads {@code <root>/sys/net/ipv4/*} and {@code <root>/net/*}: both
   * resolve to this namespace when opened on its thread (see {@link #call}).
   */
  public Path procRoot() {
    return procRoot;
  }

  /** Runs the task on the thread that lives inside this namespace. */
  public <T> T call(Callable<T> task) {
    try {
      return thread.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Runs a command inside the namespace ({@code ip netns exec}) and returns its standard output.
   */
  public String exec(String... command) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(command));
    return run(full.toArray(String[]::new));
  }

  /** Starts a long-running command inside the namespace. */
  public ProcessBuilder processBuilder(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(command);
    return new ProcessBuilder(full);
  }

  public String sysctl(String key) throws IOException {
    return exec("sysctl", "-n", key).strip();
  }

  public void setSysctl(String key, String value) throws IOException {
    exec("sysctl", "-q", "-w", key + "=" + value);
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
      run("ip", "netns", "del", name);
      Files.deleteIfExists(procRoot.resolve("sys"));
      Files.deleteIfExists(procRoot.resolve("net"));
      Files.deleteIfExists(procRoot);
    } catch (IOException e) {
      throw new IllegalStateException("could not delete network namespace " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static String run(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = process.waitFor();
      if (exit != 0) {
        throw new IOException(String.join(" ", command) + " exited " + exit + ": " + out.strip());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void joinNamespace(Path nsFile) throws IOException {
    try {
      setns(nsFile);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("setns into " + nsFile + " failed", t);
    }
  }

  private static void setns(Path nsFile) throws Throwable {
    Linker linker = Linker.nativeLinker();
    var libc = linker.defaultLookup();
    MethodHandle open =
        linker.downcallHandle(
            libc.find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    MethodHandle setns =
        linker.downcallHandle(
            libc.find("setns").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    MethodHandle close =
        linker.downcallHandle(
            libc.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment path = arena.allocateFrom(nsFile.toString());
      int fd = (int) open.invokeExact(path, O_RDONLY);
      if (fd < 0) {
        throw new IOException("cannot open " + nsFile);
      }
      int rc = (int) setns.invokeExact(fd, CLONE_NEWNET);
      int ignored = (int) close.invokeExact(fd);
      if (rc != 0) {
        throw new IOException("setns into " + nsFile + " failed");
      }
    }
  }
}
