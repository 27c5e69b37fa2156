package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.SpecReplace;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent's answer to a spec change restarts its report interval: while a profile change spreads
 * over the cluster, agents answer instead of reporting, not on top of it, so that every agent
 * writes about once per report interval. Spec changes every 1.5 s with a 4 s interval: every status
 * write is an answer, and the periodic report comes back one interval after the last answer.
 */
@ApiTest
class ReportCadenceApiTest {
  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(4);
  private static final int CHANGES = 8;

  @TempDir Path work;

  record Write(Instant at, long generation, boolean spec) {}

  @Test
  void answersToSpecChangesComeInsteadOfPeriodicReports() throws Exception {
    Path procRoot = FakeProcRoot.create(work);
    try (KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client)) {
      String node = fixtures.name("cadence");
      client.resource(InProcessAgent.finTimeout(node, 25)).create();
      InProcessAgent agent =
          InProcessAgent.create(
              client,
              client,
              node,
              procRoot,
              work,
              Duration.ofMinutes(5),
              REPORT_INTERVAL,
              new AgentMetrics(node));
      List<Write> writes = new CopyOnWriteArrayList<>();
      AtomicLong lastGeneration = new AtomicLong();
      try (agent;
          Watch watch =
              client
                  .resources(TcpTeardownNode.class)
                  .withName(node)
                  .watch(
                      new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, TcpTeardownNode seen) {
                          if (action != Action.MODIFIED) {
                            return;
                          }
                          long generation = seen.getMetadata().getGeneration();
                          boolean spec = lastGeneration.getAndSet(generation) != generation;
                          writes.add(new Write(Instant.now(), generation, spec));
                        }

                        @Override
                        public void onClose(WatcherException cause) {}
                      })) {
        lastGeneration.set(1);
        agent.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> writes.stream().anyMatch(w -> !w.spec() && w.generation() == 1));

        for (int i = 0; i < CHANGES; i++) {
          Thread.sleep(1500);
          int finTimeout = 26 + i % 2;
          SpecReplace.replaceSpec(
              client, TcpTeardownNode.class, node, InProcessAgent.spec(finTimeout));
        }
        long lastGenerationWritten = 1 + CHANGES;
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> statusWrites(writes, lastGenerationWritten).size() >= 2);

        List<Write> during = writes.stream().filter(w -> !w.spec() && w.generation() > 1).toList();
        List<Write> answers =
            during.stream().filter(w -> w.generation() < lastGenerationWritten).toList();
        assertThat(answers)
            .as("status writes while spec changes came every 1.5 s: one answer each, no report")
            .hasSize(CHANGES - 1);
        List<Write> afterLast = statusWrites(writes, lastGenerationWritten);
        Duration toReport = Duration.between(afterLast.get(0).at(), afterLast.get(1).at());
        assertThat(toReport)
            .as("the periodic report after the last answer: one interval (±10%%) later")
            .isBetween(REPORT_INTERVAL.multipliedBy(8).dividedBy(10), Duration.ofSeconds(10));
      } finally {
        client.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }

  private static List<Write> statusWrites(List<Write> writes, long generation) {
    return writes.stream().filter(w -> !w.spec() && w.generation() == generation).toList();
  }
}
