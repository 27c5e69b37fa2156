package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.OperatorProcess;
import io.tcpteardown.testsupport.Specs;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator killed (SIGKILL, as the kernel's OOM killer or a node failure ends it) while a
 * profile change is spreading, then a new replica started, as the chart runs it (its own process,
 * the operator ServiceAccount's token, leader election on): the new replica waits for the dead
 * one's Lease to expire, then brings every TcpTeardownNode the change had not reached to the new
 * values and writes none of those it had already reached.
 */
@ApiTest
class OperatorKilledMidChangeApiTest {
  /** Enough nodes that the change is still spreading when the first written one is seen. */
  private static final int NODES = 1_000;

  private static final int BEFORE = 30;
  private static final int AFTER = 20;

  @TempDir Path work;

  @Test
  void aNewReplicaFinishesTheChangeAndRewritesNothingAlreadyChanged() throws Exception {
    String lease = "lease-" + UUID.randomUUID().toString().substring(0, 8);
    try (KubernetesClient admin = TestCluster.client();
        ChartServiceAccounts accounts =
            ChartServiceAccounts.install(
                admin, Map.of("operator.leaseName", lease), UnaryOperator.identity());
        ClusterFixtures fixtures = new ClusterFixtures(admin);
        Throttle throttle = Throttle.install(admin, accounts, lease)) {
      Set<String> names = Set.copyOf(createNodes(fixtures));
      fixtures.profile(
          "killed", Map.of(), Specs.spec().priority(10).finTimeoutSeconds(BEFORE).build());

      Process first = start(accounts, lease, "first.log");
      Map<String, TcpTeardownNode> killedAt;
      try {
        awaitAllHolding(first, "first.log", admin, names, BEFORE);

        CountDownLatch firstChanged = new CountDownLatch(1);
        try (Watch watch = watchForValue(admin, names, firstChanged)) {
          fixtures.updateProfile(
              "killed", Map.of(), Specs.spec().priority(10).finTimeoutSeconds(AFTER).build());
          assertThat(firstChanged.await(60, TimeUnit.SECONDS))
              .as("a TcpTeardownNode with the new value; log:%n%s", log("first.log"))
              .isTrue();
          first.destroyForcibly();
          assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // Writes the dead process had sent are answered by the API server within moments.
        Thread.sleep(2_000);
        killedAt = byName(admin, names);
      } finally {
        first.destroyForcibly().waitFor();
      }
      Set<String> reached = holding(killedAt, AFTER);
      System.out.printf(
          "killed with %d of %d TcpTeardownNodes holding the change%n", reached.size(), NODES);
      assertThat(reached)
          .as("TcpTeardownNodes holding the change when the operator was killed")
          .isNotEmpty()
          .hasSizeLessThan(NODES);

      Process second = start(accounts, lease, "second.log");
      try {
        awaitAllHolding(second, "second.log", admin, names, AFTER);
        Map<String, TcpTeardownNode> after = byName(admin, names);
        for (String name : reached) {
          assertThat(resourceVersion(after.get(name)))
              .as("%s held the change before the new replica started: not written again", name)
              .isEqualTo(resourceVersion(killedAt.get(name)));
        }
        TcpTeardownProfile profile = fixtures.getProfile("killed");
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () ->
                    assertThat(fixtures.getProfile("killed").getStatus().observedGeneration())
                        .isEqualTo(profile.getMetadata().getGeneration()));
        assertThat(log("second.log")).doesNotContain("Forbidden").doesNotContain("ERROR");
      } finally {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
        second.destroyForcibly().waitFor();
      }
    }
  }

  /**
   * The API server lets the operator's ServiceAccount patch TcpTeardownNodes a few at a time (API
   * priority and fairness, the smallest share there is, queued): a busy cluster's pace, and a
   * change of {@link #NODES} nodes that lasts long enough for the kill to land in it.
   */
  private record Throttle(KubernetesClient admin, List<HasMetadata> objects)
      implements AutoCloseable {
    static Throttle install(KubernetesClient admin, ChartServiceAccounts accounts, String name) {
      String yaml =
          """
          apiVersion: flowcontrol.apiserver.k8s.io/v1beta1
          kind: PriorityLevelConfiguration
          metadata: {name: %1$s}
          spec:
            type: Limited
            limited:
              assuredConcurrencyShares: 1
              limitResponse:
                type: Queue
                queuing: {queues: 1, handSize: 1, queueLengthLimit: 1000}
          ---
          apiVersion: flowcontrol.apiserver.k8s.io/v1beta1
          kind: FlowSchema
          metadata: {name: %1$s}
          spec:
            priorityLevelConfiguration: {name: %1$s}
            matchingPrecedence: 100
            distinguisherMethod: {type: ByUser}
            rules:
            - subjects:
              - kind: ServiceAccount
                serviceAccount: {name: %2$s, namespace: %3$s}
              resourceRules:
              - verbs: [patch]
                apiGroups: [%4$s]
                resources: [tcpteardownnodes]
                clusterScope: true
          """
              .formatted(
                  name,
                  accounts.operatorServiceAccount(),
                  ChartServiceAccounts.NAMESPACE,
                  TcpTeardownProfile.GROUP);
      List<HasMetadata> objects =
          admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
      objects.forEach(object -> admin.resource(object).create());
      return new Throttle(admin, objects);
    }

    @Override
    public void close() {
      objects.reversed().forEach(object -> admin.resource(object).delete());
    }
  }

  /** Waits until every node's TcpTeardownNode holds {@code finTimeout}, the operator alive. */
  private void awaitAllHolding(
      Process operator, String logName, KubernetesClient admin, Set<String> names, int finTimeout) {
    await()
        .atMost(Duration.ofMinutes(3))
        .untilAsserted(
            () -> {
              assertThat(operator.isAlive()).as(log(logName)).isTrue();
              assertThat(holding(admin, names, finTimeout)).hasSize(NODES);
            });
  }

  private static List<String> createNodes(ClusterFixtures fixtures) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> created = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        String base = "killed-" + i;
        created.add(
            pool.submit(() -> fixtures.node(base, "16Gi", Map.of()).getMetadata().getName()));
      }
      List<String> names = new ArrayList<>();
      for (Future<String> name : created) {
        names.add(name.get());
      }
      return names;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Watch watchForValue(
      KubernetesClient admin, Set<String> names, CountDownLatch seen) {
    return admin
        .resources(TcpTeardownNode.class)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, TcpTeardownNode node) {
                if (names.contains(node.getMetadata().getName())
                    && node.getSpec() != null
                    && Integer.valueOf(AFTER).equals(node.getSpec().finTimeoutSeconds())) {
                  seen.countDown();
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private static Map<String, TcpTeardownNode> byName(KubernetesClient admin, Set<String> names) {
    Map<String, TcpTeardownNode> found = new HashMap<>();
    for (TcpTeardownNode node : admin.resources(TcpTeardownNode.class).list().getItems()) {
      if (names.contains(node.getMetadata().getName())) {
        found.put(node.getMetadata().getName(), node);
      }
    }
    return found;
  }

  private static Set<String> holding(KubernetesClient admin, Set<String> names, int finTimeout) {
    return holding(byName(admin, names), finTimeout);
  }

  private static Set<String> holding(Map<String, TcpTeardownNode> nodes, int finTimeout) {
    return nodes.values().stream()
        .filter(n -> n.getSpec() != null)
        .filter(n -> Integer.valueOf(finTimeout).equals(n.getSpec().finTimeoutSeconds()))
        .map(n -> n.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  private static String resourceVersion(TcpTeardownNode node) {
    return node.getMetadata().getResourceVersion();
  }

  private Process start(ChartServiceAccounts accounts, String lease, String logName)
      throws IOException {
    return OperatorProcess.start(accounts, lease, work, work.resolve(logName));
  }

  private String log(String name) throws IOException {
    return Files.readString(work.resolve(name));
  }
}
