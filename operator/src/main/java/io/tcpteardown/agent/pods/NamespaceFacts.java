package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.agent.count.LocalPorts;
import io.tcpteardown.api.ManagedSysctl;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a pod's network namespace rarely changes, kept between sweeps so that a sweep of namespaces
 * with their own TCP hash tables costs little more than their dumps: the managed sysctls, the local
 * port range and the TCP hash table (fixed when the namespace is made): ten /proc reads of about 10
 * µs each, made again when {@link #refresh} has passed, when the namespace is entered through
 * another process (an inode the kernel gave to a new namespace), or at once after the pod tuner
 * wrote there ({@link #forget}); the sockets and netstat are read on every sweep. So a value the
 * agent wrote is seen by the next sweep; one a pod's own process changed is seen within {@link
 * #REFRESH}.
 *
 * <p>Thread-safe: the sweep's namespace thread reads and fills it, the tuning loop forgets. It
 * holds at most the namespaces of the last sweep ({@link #retainOnly}) and those the tuner wrote in
 * since.
 */
public final class NamespaceFacts {
  /** How long facts are kept: twenty sweeps at the shortest interval, 15 s. */
  public static final Duration REFRESH = Duration.ofMinutes(5);

  /** The facts of one namespace; the sysctls absent where the file does not exist there. */
  public record Facts(
      Map<ManagedSysctl, Long> sysctls, Optional<LocalPorts> ports, Optional<EhashTable> ehash) {
    public Facts {
      sysctls = Map.copyOf(sysctls);
    }
  }

  /** Reads the facts inside the namespace. */
  @FunctionalInterface
  public interface Reader {
    Facts read() throws IOException;
  }

  /** Facts read through {@code pid} at {@code readAt}, or a forgotten mark (no facts). */
  private record Kept(int pid, Instant readAt, Optional<Facts> facts, long generation) {}

  private final Duration refresh;
  private final ConcurrentHashMap<Long, Kept> kept = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();

  public NamespaceFacts(Duration refresh) {
    if (refresh.isNegative()) {
      throw new IllegalArgumentException("refresh must not be negative: " + refresh);
    }
    this.refresh = refresh;
  }

  /** Facts kept {@link #REFRESH}. */
  public static NamespaceFacts keptFiveMinutes() {
    return new NamespaceFacts(REFRESH);
  }

  /**
   * The facts of namespace {@code inode} entered through {@code pid}: those kept when still fresh
   * at {@code now}, else {@code read}'s, kept unless the namespace was forgotten while they were
   * read.
   */
  public Facts get(long inode, int pid, Instant now, Reader read) throws IOException {
    Kept known = kept.get(inode);
    if (known != null
        && known.facts().isPresent()
        && known.pid() == pid
        && !now.isBefore(known.readAt())
        && now.isBefore(known.readAt().plus(refresh))) {
      return known.facts().get();
    }
    long before = generation.get();
    Facts facts = read.read();
    kept.compute(
        inode,
        (key, old) ->
            old != null && old.generation() > before
                ? old
                : new Kept(pid, now, Optional.of(facts), before));
    return facts;
  }

  /** The next sweep reads namespace {@code inode} again: something was written there. */
  public void forget(long inode) {
    long now = generation.incrementAndGet();
    kept.put(inode, new Kept(0, Instant.MIN, Optional.empty(), now));
  }

  /** Keeps only the namespaces of {@code inodes} (those of the sweep that just ended). */
  public void retainOnly(Set<Long> inodes) {
    kept.keySet().retainAll(inodes);
  }

  /** How many namespaces are kept (marks included). */
  public int size() {
    return kept.size();
  }
}
