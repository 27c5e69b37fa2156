package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.SimulatedPod.Driver;
import io.tcpteardown.testsupport.SimulatedPod.Qos;
import io.tcpteardown.testsupport.Sockets;
import io.tcpteardown.tier.KernelTest;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pods simulated on the real kernel (a process in a fresh network namespace, in a cgroup named as
 * the kubelet names it): the sweep finds each pod's namespace by the UID in its cgroup path and
 * counts it exactly as {@code ss} does inside it, entering it with setns.
 */
@KernelTest
class NamespaceCounterKernelTest {
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<SocketChannel> held = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    Sockets.closeAll(held);
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private NetworkNamespace namespace() throws Exception {
    NetworkNamespace namespace = NetworkNamespace.create("pod");
    resources.add(namespace);
    // No loopback TIME_WAIT reuse, so that the population stays whole until counted.
    namespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
    return namespace;
  }

  private SimulatedPod pod(NetworkNamespace namespace, Driver driver, Qos qos) throws Exception {
    SimulatedPod pod =
        SimulatedPod.start(
            namespace,
            "tcp-teardown-test-" + UUID.randomUUID().toString().substring(0, 8),
            UUID.randomUUID().toString(),
            driver,
            qos);
    resources.add(pod);
    return pod;
  }

  private static long ss(NetworkNamespace namespace, String state) throws Exception {
    return namespace.exec("ss", "-Htan", "state", state).lines().filter(l -> !l.isBlank()).count();
  }

  enum Layout {
    CGROUPFS_GUARANTEED(Driver.CGROUPFS, Qos.GUARANTEED),
    CGROUPFS_BURSTABLE(Driver.CGROUPFS, Qos.BURSTABLE),
    CGROUPFS_BESTEFFORT(Driver.CGROUPFS, Qos.BESTEFFORT),
    SYSTEMD_GUARANTEED(Driver.SYSTEMD, Qos.GUARANTEED),
    SYSTEMD_BURSTABLE(Driver.SYSTEMD, Qos.BURSTABLE),
    SYSTEMD_BESTEFFORT(Driver.SYSTEMD, Qos.BESTEFFORT);

    final Driver driver;
    final Qos qos;

    Layout(Driver driver, Qos qos) {
      this.driver = driver;
      this.qos = qos;
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void everyPodIsFoundAndCountedExactlyAsSsCountsIt(Layout layout) throws Exception {
    NetworkNamespace namespace = namespace();
    namespace.setSysctl("net.ipv4.tcp_max_tw_buckets", "7777");
    held.addAll(Sockets.populate(namespace, "127.0.0.1", 40, 9, 3));
    SimulatedPod pod = pod(namespace, layout.driver, layout.qos);

    try (NamespaceCounter sweeper = new NamespaceCounter(Path.of("/proc"), Clock.systemUTC())) {
      List<NamespaceCounts> counted = sweeper.sweep();
      NamespaceCounts mine = ofPod(counted, pod.uid()).orElseThrow();

      assertThat(mine.namespace().pod().orElseThrow().containerId()).contains(pod.containerId());
      assertThat(mine.namespace().pids()).contains(pod.pid());
      assertThat(mine.method()).isEqualTo(io.tcpteardown.agent.count.CountMethod.NETLINK);
      assertThat(mine.maxTwBuckets()).hasValue(7777);
      StateCounts states = mine.states();
      assertThat(states.timeWait()).isEqualTo(ss(namespace, "time-wait")).isEqualTo(40);
      assertThat(states.closeWait()).isEqualTo(ss(namespace, "close-wait")).isEqualTo(12);
      assertThat(states.finWait2()).isEqualTo(ss(namespace, "fin-wait-2")).isEqualTo(12);
      // Only the 9 sockets the server closed can be orphans. The kernel usually keeps an orphaned
      // FIN_WAIT2 as a time-wait mini-socket, which the dump does not count as an orphan, but one
      // whose ACK arrived while its socket was busy stays a full orphan until its timer runs.
      assertThat(states.orphans()).isBetween(0L, 9L);
      // The test JVM's own namespace, the node's here, is never among them.
      long own = new NamespaceScanner(Path.of("/proc")).ownNamespace().orElseThrow();
      assertThat(counted).noneMatch(c -> c.namespace().inode() == own);
    }
  }

  @Test
  void twoPodsAreTwoNamespacesEachWithItsOwnCounts() throws Exception {
    NetworkNamespace first = namespace();
    NetworkNamespace second = namespace();
    held.addAll(Sockets.populate(first, "127.0.0.1", 25, 0, 0));
    held.addAll(Sockets.populate(second, "::1", 0, 6, 0));
    SimulatedPod a = pod(first, Driver.CGROUPFS, Qos.BURSTABLE);
    SimulatedPod b = pod(second, Driver.SYSTEMD, Qos.BESTEFFORT);

    try (NamespaceCounter sweeper = new NamespaceCounter(Path.of("/proc"), Clock.systemUTC())) {
      List<NamespaceCounts> counted = sweeper.sweep();
      NamespaceCounts countsA = ofPod(counted, a.uid()).orElseThrow();
      NamespaceCounts countsB = ofPod(counted, b.uid()).orElseThrow();
      assertThat(countsA.namespace().inode()).isNotEqualTo(countsB.namespace().inode());
      assertThat(countsA.states().timeWait()).isEqualTo(25);
      assertThat(countsA.states().closeWait()).isZero();
      assertThat(countsB.states().timeWait()).isZero();
      assertThat(countsB.states().closeWait()).isEqualTo(6);
    }
  }

  /**
   * A namespace created from one whose tcp_child_ehash_entries is set has a TCP hash table of its
   * own (Linux 6.1+); any other shares the host's, whose size it reads as a negative number.
   */
  @Test
  void eachNamespaceSaysWhetherItHasATcpHashTableOfItsOwn() throws Exception {
    Path childEntries = Path.of("/proc/sys/net/ipv4/tcp_child_ehash_entries");
    Assumptions.assumeTrue(Files.exists(childEntries), "Linux before 6.1: no per-namespace table");
    NetworkNamespace parent = namespace();
    parent.setSysctl("net.ipv4.tcp_child_ehash_entries", "1000");
    NetworkNamespace child = NetworkNamespace.createChild(parent, "own");
    resources.add(child);
    NetworkNamespace plain = namespace();
    SimulatedPod own = pod(child, Driver.CGROUPFS, Qos.BURSTABLE);
    SimulatedPod shared = pod(plain, Driver.SYSTEMD, Qos.BESTEFFORT);
    // Read, never written, in the test JVM's namespace: the host's.
    long host = EhashTable.read(Path.of("/proc")).buckets();

    try (NamespaceCounter sweeper = new NamespaceCounter(Path.of("/proc"), Clock.systemUTC())) {
      List<NamespaceCounts> counted = sweeper.sweep();
      // The kernel rounds the table up to a power of two.
      assertThat(ofPod(counted, own.uid()).orElseThrow().ehash())
          .hasValue(new EhashTable(true, 1024));
      assertThat(ofPod(counted, shared.uid()).orElseThrow().ehash())
          .hasValue(new EhashTable(false, host));
    }
  }

  @Test
  void aPodThatGoesAwayMidSweepIsSkipped() throws Exception {
    NetworkNamespace namespace = namespace();
    SimulatedPod pod = pod(namespace, Driver.CGROUPFS, Qos.BURSTABLE);
    NamespaceScanner scanner = new NamespaceScanner(Path.of("/proc"));
    NetworkNamespaceRef found =
        scanner.scan(scanner.ownNamespace().orElseThrow()).stream()
            .filter(n -> n.pod().map(p -> p.podUid().equals(pod.uid())).orElse(false))
            .findFirst()
            .orElseThrow();

    pod.kill();

    try (NamespaceCounter sweeper = new NamespaceCounter(Path.of("/proc"), Clock.systemUTC())) {
      assertThat(sweeper.count(found)).isEmpty();
      // The sweep thread is back home: the next count of the node's namespace works as before.
      assertThat(sweeper.sweep()).noneMatch(c -> c.namespace().inode() == found.inode());
    }
  }

  @Test
  void aProcessThatNowLivesInAnotherNamespaceIsNotCountedAsTheOldOne() throws Exception {
    NetworkNamespace namespace = namespace();
    SimulatedPod pod = pod(namespace, Driver.CGROUPFS, Qos.GUARANTEED);
    NetworkNamespaceRef stale = new NetworkNamespaceRef(1L, List.of(pod.pid()), Optional.empty());
    try (NamespaceCounter sweeper = new NamespaceCounter(Path.of("/proc"), Clock.systemUTC())) {
      assertThat(sweeper.count(stale)).isEmpty();
    }
  }

  private static Optional<NamespaceCounts> ofPod(List<NamespaceCounts> counted, String uid) {
    return counted.stream()
        .filter(c -> c.namespace().pod().map(p -> p.podUid().equals(uid)).orElse(false))
        .findFirst();
  }
}
