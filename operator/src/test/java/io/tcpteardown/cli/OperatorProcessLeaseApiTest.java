package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.OperatorProcess;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcp-teardown operator} as its own process, as the chart runs it (environment variables,
 * the operator ServiceAccount's token, leader election on): SIGTERM, what the kubelet sends when
 * the pod stops, gives the Lease up before the process ends, so another replica leads at once.
 */
@ApiTest
class OperatorProcessLeaseApiTest {
  @TempDir Path work;

  @Test
  void sigtermReleasesTheLeaseBeforeTheProcessEnds() throws Exception {
    String lease = "lease-" + UUID.randomUUID().toString().substring(0, 8);
    try (KubernetesClient admin = TestCluster.client();
        ChartServiceAccounts accounts =
            ChartServiceAccounts.install(
                admin, Map.of("operator.leaseName", lease), UnaryOperator.identity())) {
      Process operator = start(accounts, lease);
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  assertThat(operator.isAlive()).as(log()).isTrue();
                  assertThat(holder(admin, lease)).isNotBlank();
                });
        String holder = holder(admin, lease);
        operator.destroy();
        assertThat(operator.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(holder(admin, lease))
            .as("holder after SIGTERM (was %s); log:%n%s", holder, log())
            .isNullOrEmpty();
        assertThat(log()).contains("Released the leader Lease").doesNotContain("Forbidden");
      } finally {
        operator.destroyForcibly().waitFor();
      }
    }
  }

  private Process start(ChartServiceAccounts accounts, String lease) throws java.io.IOException {
    return OperatorProcess.start(accounts, lease, work, work.resolve("operator.log"));
  }

  /**
   * The SDK's elector no longer exits the JVM itself: a replica whose renewals are refused (here by
   * the chart's former Role, without patch) must still stop and exit 1 at the renew deadline, never
   * go on reconciling without the Lease.
   */
  @Test
  void aLostLeaseStopsTheProcessWithExitCodeOne() throws Exception {
    String lease = "lease-" + UUID.randomUUID().toString().substring(0, 8);
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
    try (KubernetesClient admin = TestCluster.client();
        ChartServiceAccounts accounts =
            ChartServiceAccounts.install(admin, Map.of("operator.leaseName", lease), formerRole)) {
      Process operator = start(accounts, lease);
      try {
        assertThat(operator.waitFor(90, TimeUnit.SECONDS)).as("exited; log:%n%s", log()).isTrue();
        assertThat(operator.exitValue()).as(log()).isEqualTo(1);
        assertThat(log()).contains("error: lost the leader Lease tcp-teardown/" + lease);
      } finally {
        operator.destroyForcibly().waitFor();
      }
    }
  }

  private static String holder(KubernetesClient admin, String lease) {
    Lease current =
        admin.leases().inNamespace(ChartServiceAccounts.NAMESPACE).withName(lease).get();
    return current == null ? null : current.getSpec().getHolderIdentity();
  }

  private String log() throws java.io.IOException {
    return Files.readString(work.resolve("operator.log"));
  }
}
