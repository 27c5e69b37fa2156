package io.tcpteardown.agent.count;

import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one look at a network namespace found, the node's or a pod's alike: its managed sysctls
 * (absent when the file does not exist there), its sockets per teardown state with its own orphans,
 * how they were counted, and its TCPTimeWaitOverflow and TCPAbortOnMemory.
 */
public record NamespaceLook(
    Map<ManagedSysctl, Long> sysctls,
    StateCounts states,
    CountMethod countMethod,
    KernelCounters counters) {

  public NamespaceLook {
    sysctls = Map.copyOf(sysctls);
  }

  /** One count of a namespace's sockets, and how it was taken. */
  public record Counted(StateCounts states, CountMethod method) {
    /** A count by a counter kept open. */
    public static Counted by(SocketStateCounter counter) throws IOException {
      return new Counted(counter.count(), counter.method());
    }
  }

  /**
   * Looks at the namespace {@code sysctls} resolve to (that of the calling thread), whose sockets
   * {@code counted} counted, with the counters of {@code stats}.
   */
  public static NamespaceLook take(SysctlFiles sysctls, Counted counted, KernelStats stats)
      throws IOException {
    return take(sysctls, counted, stats.readCounters());
  }

  /**
   * Looks at the namespace {@code sysctls} resolve to, whose sockets {@code counted} counted and
   * whose TCPTimeWaitOverflow and TCPAbortOnMemory are {@code counters} (read by the caller, into a
   * buffer it reuses: {@link KernelStats#readCounters(byte[])}).
   */
  public static NamespaceLook take(SysctlFiles sysctls, Counted counted, KernelCounters counters)
      throws IOException {
    Map<ManagedSysctl, Long> values = new EnumMap<>(ManagedSysctl.class);
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      OptionalLong value = sysctls.read(sysctl);
      if (value.isPresent()) {
        values.put(sysctl, value.getAsLong());
      }
    }
    return new NamespaceLook(values, counted.states(), counted.method(), counters);
  }

  public Optional<Long> sysctl(ManagedSysctl sysctl) {
    return Optional.ofNullable(sysctls.get(sysctl));
  }
}
