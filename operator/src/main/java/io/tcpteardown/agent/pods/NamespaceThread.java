package io.tcpteardown.agent.pods;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.tcpteardown.agent.ffm.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs work inside other processes' network namespaces on one dedicated platform thread, through
 * setns(2) with the FFM API. setns changes the namespace of the calling thread only, so the work
 * never runs on a virtual thread or a shared pool thread; the thread returns to the namespace it
 * started in after every task. Sockets created and /proc/sys files opened by a task belong to the
 * namespace it runs in; /proc/self/net does not (it follows the thread-group leader): read
 * /proc/PID/net instead.
 */
public final class NamespaceThread implements AutoCloseable {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY_CLOEXEC = 0x80000;
  private static final int ENOENT = 2;
  private static final int ESRCH = 3;

  private static final StructLayout CALL_STATE = Libc.CALL_STATE;
  private static final MethodHandle OPEN =
      downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SETNS =
      downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle CLOSE =
      Libc.plainDowncall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  /** Work done inside a namespace. */
  @FunctionalInterface
  public interface Task<T> {
    T run() throws IOException;
  }

  private final Path procRoot;
  private ExecutorService thread;
  private volatile long threadId;
  private int home = -1;

  private NamespaceThread(Path procRoot) {
    this.procRoot = procRoot;
  }

  /** Starts the thread in the caller's network namespace, which it returns to after each task. */
  public static NamespaceThread start(Path procRoot) throws IOException {
    NamespaceThread namespaces = new NamespaceThread(procRoot);
    namespaces.startThread();
    return namespaces;
  }

  private void startThread() throws IOException {
    thread =
        Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("netns-sweep").unstarted(r));
    home =
        onThread(
            () -> {
              threadId = Thread.currentThread().threadId();
              return open(Path.of("/proc/thread-self/ns/net")).orElseThrow();
            });
  }

  /** CPU time the thread has used so far, for measuring sweeps; -1 where the JVM cannot tell. */
  public long cpuNanos() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId);
  }

  /** Enters namespaces from work already on the thread, as {@link #call} does. */
  public interface Entry {
    <T> Optional<T> call(int pid, long inode, Task<T> task) throws IOException;
  }

  /** Work that enters several namespaces in turn. */
  @FunctionalInterface
  public interface Batch<T> {
    T run(Entry entry) throws IOException;
  }

  /**
   * Runs the task inside the network namespace of process {@code pid}, provided it still is
   * namespace {@code inode}; empty when the process is gone or now lives elsewhere.
   */
  public synchronized <T> Optional<T> call(int pid, long inode, Task<T> task) throws IOException {
    return onThread(() -> inNamespace(pid, inode, task));
  }

  /**
   * Runs {@code batch} on the thread in one hand-off; each namespace it enters through its {@link
   * Entry} costs a setns there and back, not two thread wake-ups (which, on a busy node, cost more
   * than a dump in a namespace with a TCP hash table of its own).
   */
  public synchronized <T> T batch(Batch<T> batch) throws IOException {
    return onThread(() -> batch.run(this::inNamespace));
  }

  private <T> Optional<T> inNamespace(int pid, long inode, Task<T> task) throws IOException {
    OptionalInt fd = open(procRoot.resolve(pid + "/ns/net"));
    if (fd.isEmpty()) {
      return Optional.empty();
    }
    try {
      // The namespace the descriptor holds, whatever happened to the pid since the scan.
      OptionalLong opened =
          NamespaceScanner.inode(Path.of("/proc/thread-self/fd/" + fd.getAsInt()));
      if (opened.isEmpty() || opened.getAsLong() != inode) {
        return Optional.empty();
      }
      setns(fd.getAsInt(), "the network namespace of process " + pid);
    } finally {
      close(fd.getAsInt());
    }
    try {
      return Optional.ofNullable(task.run());
    } finally {
      returnHome();
    }
  }

  private void returnHome() {
    try {
      setns(home, "the node's network namespace");
    } catch (IOException e) {
      // This thread is stuck in a pod's namespace: it must never run another task. A new thread
      // (started from the caller's, which is in the node's namespace) takes over.
      thread.shutdown();
      try {
        startThread();
      } catch (IOException restart) {
        e.addSuppressed(restart);
      }
      throw new IllegalStateException("could not return to the node's network namespace", e);
    }
  }

  private <T> T onThread(Task<T> task) throws IOException {
    try {
      return thread.submit(task::run).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(e.getCause());
    }
  }

  private static OptionalInt open(Path path) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_RDONLY_CLOEXEC);
      if (fd >= 0) {
        return OptionalInt.of(fd);
      }
      int errno = Libc.errno(state);
      if (errno == ENOENT || errno == ESRCH) {
        return OptionalInt.empty();
      }
      throw new IOException("open " + path + " failed: errno " + errno);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("open " + path + " failed", t);
    }
  }

  private static void setns(int fd, String what) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int result = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
      if (result != 0) {
        throw new IOException(
            "setns into "
                + what
                + " failed: errno "
                + Libc.errno(state)
                + " (the agent needs CAP_SYS_ADMIN: a privileged pod)");
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("setns into " + what + " failed", t);
    }
  }

  private static void close(int fd) {
    try {
      int ignored = (int) CLOSE.invokeExact(fd);
    } catch (Throwable t) {
      // Nothing to do: the descriptor is gone either way.
    }
  }

  private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
    return Libc.downcall(name, descriptor);
  }

  @Override
  public void close() {
    if (home >= 0) {
      try {
        onThread(
            () -> {
              close(home);
              return null;
            });
      } catch (IOException | RuntimeException e) {
        // closing anyway
      }
    }
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
