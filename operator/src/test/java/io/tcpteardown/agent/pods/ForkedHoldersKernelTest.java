package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpteardown.agent.AgentState;
import io.tcpteardown.agent.AgentStatusComposer;
import io.tcpteardown.agent.LatestCount;
import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.agent.count.SocketStates;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.testsupport.ForkedHolders;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * 2,000 forked processes holding one pod's 120 CLOSE_WAIT sockets, all named with escape sequences,
 * a newline, DEL and invalid UTF-8: the agent names them escaped, and the node's status it composes
 * from them lists five, counts all 2,001 and stays small.
 */
@KernelTest
class ForkedHoldersKernelTest {
  private static final int CONNECTIONS = 120;
  private static final int CHILDREN = 2_000;

  @Test
  void twoThousandRealHoldersWithHostileNamesMakeABoundedStatus() throws Exception {
    NetworkNamespace.requireNamespaces();
    try (NetworkNamespace namespace = NetworkNamespace.create("fork")) {
      String uid = UUID.randomUUID().toString();
      try (ForkedHolders forked =
          ForkedHolders.start(
              namespace, "tcp-teardown-test-" + uid.substring(0, 8), uid, CONNECTIONS, CHILDREN)) {
        SimulatedPod pod = forked.pod();
        CloseWaitHolders.Scan scan = new CloseWaitHolders.Scan(List.of(), 0, 0, 0, 0);
        NamespaceScanner scanner = new NamespaceScanner(Path.of("/proc"));
        NetworkNamespaceRef ref = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
          ref =
              scanner.scan(scanner.ownNamespace().orElseThrow()).stream()
                  .filter(n -> n.pod().map(p -> p.podUid().equals(uid)).orElse(false))
                  .findFirst()
                  .orElseThrow();
          scan = CloseWaitHolders.fromProcFiles(Path.of("/proc")).scan(ref);
          if (scan.holders().size() + scan.holdersNotKept() == CHILDREN + 1
              && scan.holders().stream().allMatch(h -> h.sockets() == CONNECTIONS)) {
            break;
          }
          Thread.sleep(200);
        }

        // The agent keeps the holders with the most sockets (at most MAX_HOLDERS) and counts the
        // rest exactly.
        List<CloseWaitHolders.Holder> holders = scan.holders();
        assertThat(holders).hasSize(Math.min(CHILDREN + 1, CloseWaitHolders.MAX_HOLDERS));
        assertThat(holders.size() + scan.holdersNotKept()).isEqualTo(CHILDREN + 1L);
        assertThat(holders).allMatch(h -> h.sockets() == CONNECTIONS);
        assertThat(holders.stream().filter(h -> h.pid() != pod.pid()))
            .allMatch(h -> h.command().equals(ForkedHolders.ESCAPED));

        Instant now = Instant.now();
        NamespaceCounts counts =
            new NamespaceCounts(
                ref,
                new SocketStates(0, 0, 0, CONNECTIONS, 0, 0, 0),
                KernelCounters.ZERO,
                OptionalLong.of(262_144),
                EhashTable.SHARED_UNKNOWN,
                "netlink",
                now);
        PodsSummary summary =
            PodReport.summarize(
                List.of(
                    new PodReport.PodInput(
                        counts,
                        Optional.of(new PodMeta("tenant", "forker", uid, false)),
                        true,
                        holders,
                        holders.size() + scan.holdersNotKept(),
                        Optional.empty())),
                20,
                now);
        TcpTeardownNodeStatus status =
            new AgentStatusComposer(new AgentInfo("agent", "test"))
                .compose(
                    AgentState.initial(0),
                    LatestCount.NONE,
                    Optional.of(new PodObserver.Result(summary, now, Duration.ZERO)),
                    List.of(),
                    now);
        String json = new ObjectMapper().writeValueAsString(status);
        String leak =
            Conditions.find(status.conditions(), NodeConditions.CLOSE_WAIT_LEAK)
                .orElseThrow()
                .getMessage();
        System.out.printf(
            "%d real holders: status %,d bytes, leak message %,d characters%n",
            holders.size() + scan.holdersNotKept(), json.length(), leak.length());

        PodTeardownEntry entry = status.pods().getFirst();
        assertThat(entry.closeWaitHolders()).hasSize(PodTeardownEntry.MAX_HOLDERS);
        assertThat(entry.closeWaitHolderCount()).isEqualTo(CHILDREN + 1L);
        assertThat(leak).contains("and 1996 more processes");
        assertThat(json.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
        assertThat(json.length()).isLessThan(16 * 1024);
      }
    }
  }
}
