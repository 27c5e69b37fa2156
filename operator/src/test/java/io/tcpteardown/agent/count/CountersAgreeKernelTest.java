package io.tcpteardown.agent.count;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.StateCounts;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.Sockets;
import io.tcpteardown.tier.KernelTest;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Known populations in a fresh network namespace, counted by netlink, by the /proc fallback and by
 * {@code ss}: all three must agree exactly, and with what was made.
 */
@KernelTest
class CountersAgreeKernelTest {
  private NetworkNamespace namespace;
  private final List<SocketChannel> held = new ArrayList<>();

  @BeforeEach
  void namespace() throws Exception {
    namespace = NetworkNamespace.create("count");
    namespace.setSysctl("net.ipv4.tcp_max_tw_buckets", "200000");
    // A new namespace reuses TIME_WAIT ports on loopback (tcp_tw_reuse 2): a later connection could
    // end a
    // TIME_WAIT socket of the population before it is counted.
    namespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
  }

  @AfterEach
  void close() throws Exception {
    Sockets.closeAll(held);
    namespace.close();
  }

  private long ss(String state) throws Exception {
    return namespace.exec("ss", "-Htan", "state", state).lines().filter(l -> !l.isBlank()).count();
  }

  private StateCounts bySs() throws Exception {
    return new StateCounts(
        ss("fin-wait-1"),
        ss("fin-wait-2"),
        ss("time-wait"),
        ss("close-wait"),
        ss("last-ack"),
        ss("closing"),
        0);
  }

  private StateCounts byNetlink() {
    return namespace.call(
        () -> {
          try (NetlinkStateCounter counter = NetlinkStateCounter.open()) {
            return counter.count();
          }
        });
  }

  private StateCounts byNetlinkPerFamily() {
    return namespace.call(
        () -> {
          try (NetlinkStateCounter counter = NetlinkStateCounter.openPerFamily()) {
            return counter.count();
          }
        });
  }

  private StateCounts byProc() {
    return namespace.call(() -> new ProcNetTcpCounter(namespace.procRoot()).count());
  }

  private static StateCounts withoutOrphans(StateCounts s) {
    return new StateCounts(
        s.finWait1(), s.finWait2(), s.timeWait(), s.closeWait(), s.lastAck(), s.closing(), 0);
  }

  @Test
  void anEmptyNamespaceCountsZeroEverywhere() {
    assertThat(byNetlink()).isEqualTo(new StateCounts(0, 0, 0, 0, 0, 0, 0));
    assertThat(byNetlinkPerFamily()).isEqualTo(new StateCounts(0, 0, 0, 0, 0, 0, 0));
    assertThat(byProc()).isEqualTo(new StateCounts(0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void netlinkBothRequestsProcAndSsAgreeExactlyOnKnownPopulationsOverIpv4AndIpv6()
      throws Exception {
    held.addAll(Sockets.populate(namespace, "127.0.0.1", 2000, 300, 40));
    held.addAll(Sockets.populate(namespace, "::1", 150, 20, 10));

    // Client TIME_WAIT; client CLOSE_WAIT plus server CLOSE_WAIT of the half-closed; server
    // FIN_WAIT2 (orphans,
    // kept as time-wait mini-sockets) plus client FIN_WAIT2 of the half-closed.
    StateCounts expected =
        new StateCounts(0, 300 + 40 + 20 + 10, 2000 + 150, 300 + 40 + 20 + 10, 0, 0, 0);
    StateCounts netlink = byNetlink();
    StateCounts perFamily = byNetlinkPerFamily();
    StateCounts proc = byProc();
    StateCounts ss = bySs();
    assertThat(withoutOrphans(netlink)).isEqualTo(expected);
    assertThat(perFamily).isEqualTo(netlink);
    assertThat(withoutOrphans(proc)).isEqualTo(expected);
    assertThat(ss).isEqualTo(expected);
    assertThat(netlink.orphans()).isEqualTo(proc.orphans());
    // The advice's mini-sockets (TIME_WAIT and the orphaned FIN_WAIT2 kept as mini-sockets) come
    // from the counting dump: they are sockstat's tw.
    assertThat(miniSocketsByNetlink())
        .isEqualTo(namespace.call(new KernelStats(namespace.procRoot())::readSockstat).timeWait())
        .isGreaterThanOrEqualTo(2000 + 150);
  }

  private long miniSocketsByNetlink() {
    TeardownDetails details = new TeardownDetails();
    details.reset(new LocalPorts(1, 65535, new java.util.BitSet()));
    namespace.call(
        () -> {
          try (NetlinkStateCounter counter = NetlinkStateCounter.open()) {
            return counter.count(details);
          }
        });
    return details.result().miniSockets();
  }

  @Test
  void theFactoryPicksNetlinkAndTheSockstatAndNetstatParsersReadThisKernel() throws Exception {
    held.addAll(Sockets.populate(namespace, "127.0.0.1", 25, 0, 0));
    StateCounts counted =
        namespace.call(
            () -> {
              try (SocketStateCounter counter = SocketStateCounters.open(namespace.procRoot())) {
                assertThat(counter.method()).isEqualTo(CountMethod.NETLINK);
                return counter.count();
              }
            });
    assertThat(counted.timeWait()).isEqualTo(25);
    KernelStats stats = new KernelStats(namespace.procRoot());
    Sockstat sockstat = namespace.call(stats::readSockstat);
    assertThat(sockstat.timeWait()).isEqualTo(25);
    assertThat(miniSocketsByNetlink()).isEqualTo(sockstat.timeWait());
    assertThat(namespace.call(stats::readCounters).timeWaitOverflow()).isZero();
  }

  @Test
  void overflowBeyondMaxTwBucketsIsCountedByTheKernelCounter() throws Exception {
    namespace.setSysctl("net.ipv4.tcp_max_tw_buckets", "10");
    held.addAll(Sockets.populate(namespace, "127.0.0.1", 30, 0, 0));
    KernelStats stats = new KernelStats(namespace.procRoot());
    assertThat(byNetlink().timeWait()).isEqualTo(10);
    assertThat(namespace.call(stats::readCounters).timeWaitOverflow()).isEqualTo(20);
  }
}
