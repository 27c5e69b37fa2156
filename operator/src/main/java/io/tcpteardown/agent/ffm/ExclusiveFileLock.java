package io.tcpteardown.agent.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An exclusive {@code flock(2)} on a file that is never renamed or removed, held until {@link
 * #close()}. A flock belongs to the open file description, not to the process: two holders in one
 * JVM exclude each other like two processes do, and closing some other descriptor of the file
 * releases nothing. {@code FileChannel.lock} takes a POSIX record lock instead, which belongs to
 * the process: a second channel of the same JVM gets {@code OverlappingFileLockException}, and
 * closing any descriptor of the file (a second instance, a garbage-collected channel) silently
 * drops it.
 */
public final class ExclusiveFileLock implements AutoCloseable {
  private static final int O_RDWR = 2;
  private static final int O_CREAT = 0100;
  private static final int O_CLOEXEC = 02000000;
  private static final int LOCK_EX = 2;
  private static final int LOCK_NB = 4;
  private static final int EINTR = 4;
  private static final int EWOULDBLOCK = 11;
  private static final Duration POLL = Duration.ofMillis(20);

  private static final MethodHandle OPEN =
      Libc.LINKER.downcallHandle(
          Libc.LINKER.defaultLookup().find("open").orElseThrow(),
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
          Linker.Option.firstVariadicArg(2),
          Linker.Option.captureCallState("errno"));
  private static final MethodHandle FLOCK =
      Libc.downcall("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle CLOSE =
      Libc.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private final Path path;
  private int fd;

  private ExclusiveFileLock(Path path, int fd) {
    this.path = path;
    this.fd = fd;
  }

  /**
   * Creates the file if needed (mode 0600) and waits up to {@code timeout} for the lock.
   *
   * @throws IOException when the file cannot be opened, or another holder kept the lock for the
   *     whole timeout (the message names the file)
   */
  public static ExclusiveFileLock acquire(Path path, Duration timeout) throws IOException {
    int fd = open(path);
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        int errno = flock(fd, LOCK_EX | LOCK_NB);
        if (errno == 0) {
          return new ExclusiveFileLock(path, fd);
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
          throw new IOException("cannot lock " + path + ": flock failed with errno " + errno);
        }
        if (System.nanoTime() - deadline >= 0) {
          throw new IOException(
              "cannot lock "
                  + path
                  + ": another process (or another state file user in this one) held it for "
                  + timeout.toMillis()
                  + " ms; a `state-file rebuild` holds it for milliseconds, so look for a hung"
                  + " process with the file open (fuser "
                  + path
                  + ")");
        }
        Thread.sleep(POLL);
      }
    } catch (InterruptedException e) {
      closeQuietly(fd);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the lock on " + path, e);
    } catch (IOException | RuntimeException e) {
      closeQuietly(fd);
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** Releases the lock (closing its only descriptor). */
  @Override
  public void close() throws IOException {
    if (fd < 0) {
      return;
    }
    int held = fd;
    fd = -1;
    int errno = closeFd(held);
    if (errno != 0) {
      throw new IOException("closing the lock " + path + " failed with errno " + errno);
    }
  }

  private static int open(Path path) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      MemorySegment name = arena.allocateFrom(path.toAbsolutePath().toString());
      int fd = (int) OPEN.invokeExact(state, name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) {
        throw new IOException(
            "cannot open the lock file " + path + ": open failed with errno " + Libc.errno(state));
      }
      return fd;
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static int flock(int fd, int operation) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      int result = (int) FLOCK.invokeExact(state, fd, operation);
      return result == 0 ? 0 : Libc.errno(state);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static int closeFd(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Libc.CALL_STATE);
      int result = (int) CLOSE.invokeExact(state, fd);
      return result == 0 ? 0 : Libc.errno(state);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static void closeQuietly(int fd) {
    closeFd(fd);
  }
}
