package io.tcpteardown.operator;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.RequestLog;
import io.tcpteardown.testsupport.SimulatedAgents;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The operator against a real kube-apiserver while 100 simulated agents report every second (at
 * least a quarter of that gets through on a loaded 2-core machine; the real agent's status JSON and
 * patch, TIME_WAIT moving on every report): the profile's status, whose counts change on every
 * report, is written at most about once per status interval, while a condition still changes as
 * soon as the last agent has answered.
 */
@ApiTest
class StatusWriteRateApiTest {
  private static final int AGENTS = 100;
  private static final Duration STATUS_INTERVAL = Duration.ofSeconds(10);
  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(1);
  private static final Duration WINDOW = Duration.ofSeconds(40);

  @Test
  void statusWritesStayWithinTheIntervalWhileAgentsReportAndConditionsChangeAtOnce()
      throws Exception {
    RequestLog requests = new RequestLog();
    try (KubernetesClient admin = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(admin);
        KubernetesClient operatorClient =
            ChartServiceAccounts.client(TestCluster.kubeconfig(), requests)) {
      Set<String> nodes = new HashSet<>();
      for (int i = 0; i < AGENTS; i++) {
        nodes.add(
            fixtures.node(String.format("rate-%03d", i), "16Gi", Map.of()).getMetadata().getName());
      }
      fixtures.profile("rate", Map.of(), spec().finTimeoutSeconds(30).maxTwBuckets(20000).build());
      String name = fixtures.name("rate");
      String statusPath = "/tcpteardownprofiles/" + name + "/status";
      try (OperatorRuntime operator =
              OperatorRuntime.start(
                  operatorClient,
                  new OperatorSettings(false, "unused", "default", 0, 0, STATUS_INTERVAL));
          SimulatedAgents agents =
              SimulatedAgents.start(
                  admin, nodes, new SimulatedAgents.Settings(REPORT_INTERVAL, 0.5, 20))) {
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> applied(fixtures.getProfile("rate"), 1L));

        long reportsBefore = agents.writes();
        long writesBefore = writes(requests, statusPath);
        Thread.sleep(WINDOW.toMillis());
        long reports = agents.writes() - reportsBefore;
        long writes = writes(requests, statusPath) - writesBefore;
        long bound = WINDOW.dividedBy(STATUS_INTERVAL) + 1;
        System.out.println(
            "FIGURE profile status writes in "
                + WINDOW
                + ": "
                + writes
                + " (agent reports "
                + reports
                + ")");
        assertThat(reports)
            .as("the agents reported all along (%d failed)", agents.failures())
            .isGreaterThan(AGENTS * WINDOW.toSeconds() / 4);
        assertThat(writes)
            .as(
                "profile status writes in %s with %d agent reports and a %s status interval",
                WINDOW, reports, STATUS_INTERVAL)
            .isBetween(bound - 3, bound);

        // A new spec: Applied turns True as soon as the last agent has answered, not at the end
        // of an interval (the counts keep changing meanwhile).
        fixtures.updateProfile(
            "rate", Map.of(), spec().finTimeoutSeconds(40).maxTwBuckets(20000).build());
        Instant seen =
            await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(
                    () -> applied(fixtures.getProfile("rate"), 2L) ? Instant.now() : null,
                    java.util.Objects::nonNull);
        Duration afterLastAnswer = Duration.between(agents.lastAnswer(), seen);
        System.out.println(
            "FIGURE Applied=True "
                + afterLastAnswer.toMillis()
                + " ms after the last agent answered");
        assertThat(afterLastAnswer).isLessThan(Duration.ofSeconds(3));
      }
    }
  }

  private static long writes(RequestLog requests, String statusPath) {
    return requests.to(statusPath).stream()
        .filter(e -> e.method().equals("PATCH") && e.code() / 100 == 2)
        .count();
  }

  private static boolean applied(TcpTeardownProfile profile, long generation) {
    if (profile == null
        || profile.getStatus() == null
        || !Long.valueOf(generation).equals(profile.getStatus().observedGeneration())) {
      return false;
    }
    return Conditions.find(profile.getStatus().conditions(), ProfileConditions.APPLIED)
        .map(Condition::getStatus)
        .filter(Conditions.TRUE::equals)
        .isPresent();
  }
}
