package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.count.AdviceEvidence;
import io.tcpteardown.agent.count.KernelStats;
import io.tcpteardown.agent.count.LocalPorts;
import io.tcpteardown.agent.count.NetlinkStateCounter;
import io.tcpteardown.agent.count.TeardownDetails;
import io.tcpteardown.agent.sysctl.NodeMemory;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.rules.advice.Advice;
import io.tcpteardown.rules.advice.AdviceReason;
import io.tcpteardown.rules.advice.AdviceRules;
import io.tcpteardown.rules.advice.AdviceThresholds;
import io.tcpteardown.rules.advice.NamespaceEvidence;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.tier.KernelTest;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The advice's evidence read from real sockets: a client and a server namespace joined by a veth
 * pair (not loopback, where reuse is on by default), counted by the same netlink dump that counts
 * states, and the rules' advice on it.
 */
@KernelTest
class AdviceEvidenceKernelTest {
  private static final String CLIENT_ADDRESS = "10.77.0.1";
  private static final String SERVER_ADDRESS = "10.77.0.2";
  private static final int SERVER_PORT = 8080;
  private static final long GIB = 1024L * 1024 * 1024;

  private NetworkNamespace client;
  private NetworkNamespace server;
  private String serverLink;
  private final List<SocketChannel> open = new ArrayList<>();

  @BeforeEach
  void pair() throws Exception {
    client = NetworkNamespace.create("advc");
    server = NetworkNamespace.create("advs");
    String id = UUID.randomUUID().toString().substring(0, 6);
    String clientLink = "ac" + id;
    serverLink = "as" + id;
    NetworkNamespace.run(
        "ip",
        "link",
        "add",
        clientLink,
        "netns",
        client.name(),
        "type",
        "veth",
        "peer",
        "name",
        serverLink,
        "netns",
        server.name());
    client.exec("ip", "addr", "add", CLIENT_ADDRESS + "/24", "dev", clientLink);
    server.exec("ip", "addr", "add", SERVER_ADDRESS + "/24", "dev", serverLink);
    client.exec("ip", "link", "set", clientLink, "up");
    server.exec("ip", "link", "set", serverLink, "up");
  }

  @AfterEach
  void close() throws Exception {
    for (SocketChannel channel : open) {
      channel.close();
    }
    client.close();
    server.close();
  }

  @Test
  void halfThePortRangeInTimeWaitTowardOneServerAdvisesReuseNamingIt() throws Exception {
    int connections = 150;
    clientClosesFirst(connections);

    Look look = look();
    long bySs =
        client
            .exec("ss", "-Htan", "state", "time-wait", "dst", SERVER_ADDRESS + ":" + SERVER_PORT)
            .lines()
            .filter(l -> !l.isBlank())
            .count();
    assertThat(bySs).isEqualTo(connections);
    assertThat(look.details().destinations())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.sockets()).isEqualTo(bySs);
              assertThat(d.destination().localAddress()).isEqualTo(CLIENT_ADDRESS);
              assertThat(d.destination().remoteAddress()).isEqualTo(SERVER_ADDRESS);
              assertThat(d.destination().remotePort()).isEqualTo(SERVER_PORT);
            });
    List<Advice> advice = AdviceRules.advise(look.evidence());
    assertThat(advice)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.reason()).isEqualTo(AdviceReason.PortsTowardOneDestination);
              assertThat(a.field()).isEqualTo(ManagedSysctl.TW_REUSE);
              assertThat(a.suggested()).isEqualTo(TwReuse.Enabled);
              assertThat(a.message())
                  .contains(
                      CLIENT_ADDRESS + " -> " + SERVER_ADDRESS + ":" + SERVER_PORT,
                      "150 sockets",
                      "40000-40199");
            });

    // With reuse on, the same evidence advises nothing.
    client.setSysctl("net.ipv4.tcp_tw_reuse", "1");
    assertThat(AdviceRules.advise(look().evidence())).isEmpty();
  }

  @Test
  void onlyPortsConnectCanDrawAreCounted() throws Exception {
    client.setSysctl("net.ipv4.ip_local_port_range", "40000 40199");
    ServerSocketChannel listener = listen();
    List<SocketChannel> clients = new ArrayList<>();
    List<SocketChannel> accepted = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      clients.add(connect());
      accepted.add(listener.accept());
    }
    for (SocketChannel channel : clients) {
      channel.close();
    }
    Thread.sleep(200);
    for (SocketChannel channel : accepted) {
      channel.close();
    }
    listener.close();
    Thread.sleep(200);
    assertThat(look().details().destinations())
        .singleElement()
        .extracting(d -> d.sockets())
        .isEqualTo(20L);
    // The same TIME_WAIT sockets, their ports reserved: connect() cannot draw them, so they count
    // toward no destination.
    client.setSysctl("net.ipv4.ip_local_reserved_ports", "40000-40199");
    assertThat(look().details().destinations()).isEmpty();
    // Or outside the range.
    client.setSysctl("net.ipv4.ip_local_reserved_ports", "");
    client.setSysctl("net.ipv4.ip_local_port_range", "50000 50199");
    assertThat(look().details().destinations()).isEmpty();
    assertThat(look().states().timeWait()).isEqualTo(20);
  }

  @Test
  void orphansWhoseFinsGoUnansweredAdviseFewerOrphanRetries() throws Exception {
    ServerSocketChannel listener = listen();
    int connections = 70;
    List<SocketChannel> accepted = new ArrayList<>();
    List<SocketChannel> clients = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      clients.add(connect());
      accepted.add(listener.accept());
    }
    open.addAll(accepted);
    // The peer vanishes: its link goes down, so no FIN is ever acknowledged.
    server.exec("ip", "link", "set", serverLink, "down");
    for (SocketChannel channel : clients) {
      channel.close();
    }
    // Minimum RTO 200 ms doubling: a third retransmit by about 1.4 s.
    Thread.sleep(3000);
    Look look = look();
    assertThat(look.states().finWait1()).isEqualTo(connections);
    assertThat(look.details().unansweredOrphans()).isEqualTo(connections);
    assertThat(look.details().mostRetransmits()).isGreaterThanOrEqualTo(3);
    assertThat(AdviceRules.advise(look.evidence()))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.reason()).isEqualTo(AdviceReason.UnansweredFins);
              assertThat(a.field()).isEqualTo(ManagedSysctl.ORPHAN_RETRIES);
              assertThat(a.suggested()).isEqualTo(3);
            });
    listener.close();
  }

  @Test
  void aTimeWaitTableBelowItsPopulationAdvisesALargerOneAfterTheOverflow() throws Exception {
    client.setSysctl("net.ipv4.tcp_max_tw_buckets", "40");
    KernelCounters before = client.call(() -> new KernelStats(client.procRoot()).readCounters());
    ServerSocketChannel listener = listen();
    List<SocketChannel> clients = new ArrayList<>();
    List<SocketChannel> accepted = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      clients.add(connect());
      accepted.add(listener.accept());
    }
    for (SocketChannel channel : clients) {
      channel.close();
    }
    Thread.sleep(200);
    for (SocketChannel channel : accepted) {
      channel.close();
    }
    listener.close();
    Thread.sleep(200);
    Look look = look(Optional.of(before));
    assertThat(look.evidence().timeWaitOverflowRise()).isEqualTo(60);
    assertThat(AdviceRules.advise(look.evidence()))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.reason()).isEqualTo(AdviceReason.TimeWaitTableFull);
              assertThat(a.suggested()).isEqualTo(4096);
              assertThat(a.message()).contains("TCPTimeWaitOverflow rose by 60");
            });
  }

  private ServerSocketChannel listen() {
    return server.call(
        () -> {
          ServerSocketChannel listener = ServerSocketChannel.open();
          listener.bind(new InetSocketAddress(SERVER_ADDRESS, SERVER_PORT), 1024);
          return listener;
        });
  }

  private SocketChannel connect() {
    return client.call(
        () -> {
          SocketChannel channel = SocketChannel.open();
          channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
          channel.connect(new InetSocketAddress(SERVER_ADDRESS, SERVER_PORT));
          return channel;
        });
  }

  @Test
  void theNodeLoopsLookShowsTheSameAdviceOnceItHeldNamingTheProfileThatSetsTheField()
      throws Exception {
    clientClosesFirst(150);
    AdviceBook book = new AdviceBook();
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    List<NodeObservation> looks =
        client.call(
            () -> {
              // Opened inside the client namespace, as the agent opens it in the node's.
              List<NodeObservation> taken = new ArrayList<>();
              try (NodeObserver observer =
                  new NodeObserver(
                      client.procRoot(),
                      NodeMemory.of(client.procRoot(), () -> Optional.of(16 * GIB)))) {
                for (int report = 0; report < AdviceThresholds.HOLD_REPORTS; report++) {
                  taken.add(observer.observe());
                }
              }
              return taken;
            });
    for (NodeObservation observation : looks) {
      assertThat(observation.evidence()).isPresent();
      book.record(AdviceBook.Scope.HOST_NETWORK, observation.evidence().orElseThrow(), now);
      now = now.plusSeconds(60);
    }
    assertThat(looks.getLast().evidence().orElseThrow().destinations())
        .isEqualTo(look().evidence().destinations());

    AdviceBook.Shown shown = book.shown(Map.of("twReuse", "web-tier"), true);
    assertThat(shown.count()).isEqualTo(1);
    assertThat(shown.tally())
        .containsExactly(
            Map.entry(
                new AdviceBook.Tally(
                    AdviceEntry.SCOPE_HOST_NETWORK, AdviceReason.PortsTowardOneDestination),
                1));
    assertThat(shown.entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.scope()).isEqualTo(AdviceEntry.SCOPE_HOST_NETWORK);
              assertThat(e.field()).isEqualTo("twReuse");
              assertThat(e.suggested()).isEqualTo("Enabled");
              assertThat(e.profile()).isEqualTo("web-tier");
              assertThat(e.message()).contains("150 sockets");
            });
    assertThat(book.shown(Map.of(), false).entries()).isEmpty();
  }

  @Test
  void theLocalAdviceOfANamespaceIsTheAgentsAfterAsManyLooksAsAdviceMustHold() throws Exception {
    clientClosesFirst(150);
    AdviceBook.Shown shown =
        client.call(
            () ->
                LocalAdvice.take(
                    client.procRoot(),
                    java.time.Duration.ofMillis(10),
                    java.time.Clock.systemUTC()));
    assertThat(shown.entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.scope()).isEqualTo(AdviceEntry.SCOPE_HOST_NETWORK);
              assertThat(e.field()).isEqualTo("twReuse");
              assertThat(e.reason()).isEqualTo("PortsTowardOneDestination");
              assertThat(e.message()).contains("150 sockets");
            });
  }

  /** Opens and closes connections, the client closing first so that it holds TIME_WAIT. */
  private void clientClosesFirst(int connections) throws Exception {
    client.setSysctl("net.ipv4.ip_local_port_range", "40000 40199");
    ServerSocketChannel listener = listen();
    List<SocketChannel> clients = new ArrayList<>();
    List<SocketChannel> accepted = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      clients.add(connect());
      accepted.add(listener.accept());
    }
    for (SocketChannel channel : clients) {
      channel.close();
    }
    Thread.sleep(200);
    for (SocketChannel channel : accepted) {
      channel.close();
    }
    listener.close();
    Thread.sleep(200);
  }

  record Look(StateCounts states, TeardownDetails.Result details, NamespaceEvidence evidence) {}

  private Look look() {
    return look(Optional.empty());
  }

  /** What the agent reads of the client's namespace, on a thread inside it. */
  private Look look(Optional<KernelCounters> previous) {
    return client.call(
        () -> {
          SysctlFiles files = new SysctlFiles(client.procRoot());
          Map<ManagedSysctl, Long> current = new EnumMap<>(ManagedSysctl.class);
          for (ManagedSysctl sysctl : ManagedSysctl.values()) {
            files.read(sysctl).ifPresent(v -> current.put(sysctl, v));
          }
          LocalPorts ports = LocalPorts.read(client.procRoot().resolve("sys/net/ipv4"));
          TeardownDetails details = new TeardownDetails();
          details.reset(ports);
          StateCounts states;
          try (NetlinkStateCounter counter = NetlinkStateCounter.open()) {
            states = counter.count(details);
          }
          KernelStats stats = new KernelStats(client.procRoot());
          TeardownDetails.Result result = details.result();
          return new Look(
              states,
              result,
              AdviceEvidence.of(
                  current,
                  ports,
                  states,
                  result,
                  result.miniSockets(),
                  previous,
                  stats.readCounters(),
                  16 * GIB));
        });
  }
}
