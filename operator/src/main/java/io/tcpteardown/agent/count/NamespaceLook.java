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
 * how they were counted, its TCPTimeWaitOverflow and TCPAbortOnMemory, and, where netlink counted,
 * the advice's details from the same dump.
 */
public record NamespaceLook(
    Map<ManagedSysctl, Long> sysctls,
    StateCounts states,
    CountMethod countMethod,
    KernelCounters counters,
    Optional<Details> details) {

  public NamespaceLook {
    sysctls = Map.copyOf(sysctls);
  }

  public NamespaceLook(
      Map<ManagedSysctl, Long> sysctls,
      StateCounts states,
      CountMethod countMethod,
      KernelCounters counters) {
    this(sysctls, states, countMethod, counters, Optional.empty());
  }

  /**
   * What the advice reads beyond the counts: the namespace's local port range, the dump's details.
   */
  public record Details(LocalPorts ports, TeardownDetails.Result result) {
    /** The TIME_WAIT and orphaned FIN_WAIT2 mini-sockets (what tcp_max_tw_buckets limits). */
    public long miniSockets() {
      return result.miniSockets();
    }
  }

  /** One count of a namespace's sockets, how it was taken, and the dump's details if gathered. */
  public record Counted(
      StateCounts states, CountMethod method, Optional<TeardownDetails.Result> details) {
    public Counted(StateCounts states, CountMethod method) {
      this(states, method, Optional.empty());
    }

    /** A count by a counter kept open. */
    public static Counted by(SocketStateCounter counter) throws IOException {
      return new Counted(counter.count(), counter.method());
    }

    /**
     * A count by a counter kept open that gathers the details too where it can (netlink) and the
     * port range is known.
     */
    public static Counted by(
        SocketStateCounter counter, TeardownDetails details, Optional<LocalPorts> ports)
        throws IOException {
      if (counter instanceof NetlinkStateCounter netlink && ports.isPresent()) {
        details.reset(ports.get());
        return new Counted(netlink.count(details), counter.method(), Optional.of(details.result()));
      }
      return by(counter);
    }
  }

  /** This look with the details of its count, where it has them. */
  public NamespaceLook withDetails(Counted counted, Optional<LocalPorts> ports) {
    if (counted.details().isEmpty() || ports.isEmpty()) {
      return this;
    }
    return new NamespaceLook(
        sysctls,
        states,
        countMethod,
        counters,
        Optional.of(new Details(ports.get(), counted.details().get())));
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
    return new NamespaceLook(readSysctls(sysctls), counted.states(), counted.method(), counters);
  }

  /** Every managed sysctl {@code sysctls} can read (those whose file exists there). */
  public static Map<ManagedSysctl, Long> readSysctls(SysctlFiles sysctls) throws IOException {
    Map<ManagedSysctl, Long> values = new EnumMap<>(ManagedSysctl.class);
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      OptionalLong value = sysctls.read(sysctl);
      if (value.isPresent()) {
        values.put(sysctl, value.getAsLong());
      }
    }
    return values;
  }

  public Optional<Long> sysctl(ManagedSysctl sysctl) {
    return Optional.ofNullable(sysctls.get(sysctl));
  }
}
