package io.tcpteardown.operator;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.RequestLog;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's real leader election (the SDK's elector through {@link OperatorRuntime}), run with
 * a token of the chart's operator ServiceAccount and the chart's RBAC, not as admin, against the
 * test API server: it keeps its Lease past the renew deadline, uses only granted verbs, and hands
 * the Lease over at once on a clean shutdown.
 */
@ApiTest
class LeaderElectionApiTest {
  /** The SDK's defaults, which the chart keeps. */
  private static final Duration LEASE_DURATION = Duration.ofSeconds(15);

  private static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
  private static final String NAMESPACE = ChartServiceAccounts.NAMESPACE;

  private static KubernetesClient admin;

  @BeforeAll
  static void admin() {
    admin = TestCluster.client();
  }

  @AfterAll
  static void close() {
    admin.close();
  }

  @Test
  void keepsTheLeaseForThirtySecondsWithTheChartsServiceAccountAndUsesOnlyGrantedVerbs()
      throws Exception {
    String lease = "lease-" + UUID.randomUUID().toString().substring(0, 8);
    RequestLog requests = new RequestLog();
    try (ChartServiceAccounts accounts =
            ChartServiceAccounts.install(
                admin, Map.of("operator.leaseName", lease), UnaryOperator.identity());
        KubernetesClient client =
            ChartServiceAccounts.client(accounts.operatorKubeconfig(), requests);
        OperatorRuntime runtime = OperatorRuntime.start(client, settings(lease))) {
      await().atMost(Duration.ofSeconds(20)).until(runtime::isLeader);
      List<ZonedDateTime> renewals = new ArrayList<>();
      long end = System.nanoTime() + Duration.ofSeconds(32).toNanos();
      while (System.nanoTime() < end) {
        Lease held = admin.leases().inNamespace(NAMESPACE).withName(lease).get();
        assertThat(held.getSpec().getHolderIdentity())
            .as("holder of the Lease; requests: %s", requests.to("/leases"))
            .isEqualTo(runtime.identity());
        assertThat(runtime.isLeader()).as("still leading").isTrue();
        assertThat(runtime.lostLeadership()).isNotDone();
        renewals.add(held.getSpec().getRenewTime());
        Thread.sleep(1000);
      }
      assertThat(renewals.getLast())
          .as("renewTime advances past the %s renew deadline", RENEW_DEADLINE)
          .isAfter(renewals.getFirst().plusSeconds(25));
      assertThat(renewals.stream().distinct().count()).isGreaterThanOrEqualTo(10);
      assertThat(requests.refused()).as("requests refused to the operator").isEmpty();

      Set<String> used =
          requests.to("/leases").stream()
              .map(e -> e.verbOn("leases"))
              .collect(Collectors.toCollection(TreeSet::new));
      Set<String> granted = leaseVerbs(accounts);
      assertThat(granted).as("granted on leases; used %s", used).containsAll(used);
      // update is granted but never sent: the SDK refuses to start without it (see the Role).
      assertThat(used).containsExactlyInAnyOrder("create", "get", "patch");
      assertThat(granted).containsExactlyInAnyOrder("create", "get", "patch", "update");
    }
  }

  @Test
  void theFormerRoleWithoutPatchLosesTheLeaseAtTheRenewDeadline() throws Exception {
    String lease = "lease-" + UUID.randomUUID().toString().substring(0, 8);
    RequestLog requests = new RequestLog();
    UnaryOperator<HasMetadata> formerRole =
        object -> {
          if (object instanceof Role role && role.getMetadata().getName().endsWith("-election")) {
            role.setRules(
                List.of(
                    new PolicyRuleBuilder()
                        .withApiGroups("coordination.k8s.io")
                        .withResources("leases")
                        .withVerbs("get", "create", "update")
                        .build()));
          }
          return object;
        };
    try (ChartServiceAccounts accounts =
            ChartServiceAccounts.install(admin, Map.of("operator.leaseName", lease), formerRole);
        KubernetesClient client =
            ChartServiceAccounts.client(accounts.operatorKubeconfig(), requests);
        OperatorRuntime runtime = OperatorRuntime.start(client, settings(lease))) {
      await().atMost(Duration.ofSeconds(20)).until(runtime::isLeader);
      runtime.lostLeadership().get(RENEW_DEADLINE.plusSeconds(10).toSeconds(), SECONDS);
      assertThat(runtime.isLeader()).isFalse();
      assertThat(requests.refused())
          .isNotEmpty()
          .allSatisfy(e -> assertThat(e.method()).isEqualTo("PATCH"));
    }
  }

  @Test
  void aCleanShutdownReleasesTheLeaseAndTheOtherReplicaLeadsAtOnce() throws Exception {
    String lease = "lease-" + UUID.randomUUID().toString().substring(0, 8);
    RequestLog requests = new RequestLog();
    try (ChartServiceAccounts accounts =
            ChartServiceAccounts.install(
                admin, Map.of("operator.leaseName", lease), UnaryOperator.identity());
        KubernetesClient firstClient =
            ChartServiceAccounts.client(accounts.operatorKubeconfig(), requests);
        KubernetesClient secondClient =
            ChartServiceAccounts.client(accounts.operatorKubeconfig(), requests)) {
      OperatorRuntime first = OperatorRuntime.start(firstClient, settings(lease));
      try (OperatorRuntime second = OperatorRuntime.start(secondClient, settings(lease))) {
        await().atMost(Duration.ofSeconds(20)).until(() -> first.isLeader() || second.isLeader());
        OperatorRuntime leader = first.isLeader() ? first : second;
        OperatorRuntime waiting = leader == first ? second : first;
        Thread.sleep(3000);
        assertThat(waiting.isLeader()).isFalse();

        long closed = System.nanoTime();
        leader.close();
        await()
            .atMost(LEASE_DURATION.dividedBy(2))
            .pollInterval(Duration.ofMillis(100))
            .until(waiting::isLeader);
        Duration takeover = Duration.ofNanos(System.nanoTime() - closed);
        assertThat(takeover).isLessThan(LEASE_DURATION.dividedBy(2));
        assertThat(admin.leases().inNamespace(NAMESPACE).withName(lease).get())
            .satisfies(
                l -> assertThat(l.getSpec().getHolderIdentity()).isEqualTo(waiting.identity()));
        assertThat(leader.lostLeadership()).as("a clean shutdown is not a lost Lease").isNotDone();
        assertThat(requests.refused()).isEmpty();
      } finally {
        first.close();
      }
    }
  }

  private static OperatorSettings settings(String lease) {
    return new OperatorSettings(true, lease, NAMESPACE, 0, 0);
  }

  private static Set<String> leaseVerbs(ChartServiceAccounts accounts) {
    Role role =
        admin
            .rbac()
            .roles()
            .inNamespace(NAMESPACE)
            .withName(accounts.operatorServiceAccount() + "-leader-election")
            .get();
    return role.getRules().stream()
        .filter(r -> r.getResources().contains("leases"))
        .map(PolicyRule::getVerbs)
        .flatMap(List::stream)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
