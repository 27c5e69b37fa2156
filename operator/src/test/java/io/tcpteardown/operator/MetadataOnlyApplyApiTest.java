package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's apply of a TcpTeardownNode spec, as the chart's operator ServiceAccount sends it:
 * the spec is stored, the agent's status is left alone, and the API server answers with the
 * metadata only; a refusal reaches the caller as Fabric8 reports it.
 */
@ApiTest
class MetadataOnlyApplyApiTest {
  private static final String MANAGER = "node-settings";

  @Test
  void theSpecIsStoredTheStatusKeptAndTheAnswerIsMetadataOnly() throws Exception {
    try (KubernetesClient admin = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(admin);
        ChartServiceAccounts accounts = ChartServiceAccounts.install(admin);
        KubernetesClient operator = client(accounts.operatorKubeconfig())) {
      String name = fixtures.name("slim-apply");
      TcpTeardownNode reported = NodeObjectStoresTest.object(1, 10);
      reported.setMetadata(new ObjectMetaBuilder().withName(name).build());
      var status = reported.getStatus();
      reported.setStatus(null);
      TcpTeardownNode created = admin.resource(reported).create();
      created.setStatus(status);
      admin.resource(created).updateStatus();
      try {
        JsonNode answer =
            new ObjectMapper()
                .readTree(MetadataOnlyApply.response(operator, desired(name, 45), MANAGER));
        assertThat(answer.path("kind").asText()).isEqualTo("PartialObjectMetadata");
        assertThat(answer.path("metadata").path("name").asText()).isEqualTo(name);
        assertThat(answer.has("spec")).isFalse();
        assertThat(answer.has("status")).isFalse();

        TcpTeardownNode applied = MetadataOnlyApply.apply(operator, desired(name, 50), MANAGER);
        TcpTeardownNode stored = admin.resources(TcpTeardownNode.class).withName(name).get();
        assertThat(stored.getSpec()).isEqualTo(desired(name, 50).getSpec());
        assertThat(applied.getSpec()).isEqualTo(stored.getSpec());
        assertThat(applied.getMetadata().getResourceVersion())
            .isEqualTo(stored.getMetadata().getResourceVersion());
        assertThat(applied.getMetadata().getGeneration())
            .isEqualTo(stored.getMetadata().getGeneration())
            .isEqualTo(created.getMetadata().getGeneration() + 2);
        assertThat(applied.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(stored.getStatus().pods()).isEqualTo(status.pods());
        assertThat(stored.getMetadata().getManagedFields())
            .anyMatch(m -> MANAGER.equals(m.getManager()) && "Apply".equals(m.getOperation()));
      } finally {
        admin.resources(TcpTeardownNode.class).withName(name).delete();
      }
    }
  }

  @Test
  void aRefusalIsThrownWithTheApiServersCodeAndMessage() throws Exception {
    try (KubernetesClient admin = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(admin);
        ChartServiceAccounts accounts = ChartServiceAccounts.install(admin);
        KubernetesClient operator = client(accounts.operatorKubeconfig());
        KubernetesClient agent = client(accounts.agentKubeconfig())) {
      String name = fixtures.name("slim-refused");
      assertThatThrownBy(() -> MetadataOnlyApply.apply(agent, desired(name, 45), MANAGER))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
          .hasMessageContaining(accounts.agentServiceAccount());
      String invalid = "Not_A_DNS_Name-" + fixtures.run();
      assertThatThrownBy(() -> MetadataOnlyApply.apply(operator, desired(invalid, 45), MANAGER))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
          .hasMessageContaining("metadata.name");
      assertThat(admin.resources(TcpTeardownNode.class).withName(name).get()).isNull();
    }
  }

  private static TcpTeardownNode desired(String name, int finTimeout) {
    TcpTeardownNode desired = new TcpTeardownNode();
    desired.setMetadata(new ObjectMetaBuilder().withName(name).build());
    desired.setSpec(
        TcpTeardownNodeSpec.of(
            TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, finTimeout),
            Map.of("finTimeoutSeconds", "web"),
            List.of("web"),
            List.of()));
    return desired;
  }

  private static KubernetesClient client(String kubeconfig) {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(kubeconfig))
        .withKubernetesSerialization(OperatorSerialization.create())
        .build();
  }
}
