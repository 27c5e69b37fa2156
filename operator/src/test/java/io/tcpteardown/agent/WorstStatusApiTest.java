package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import org.junit.jupiter.api.Test;

/**
 * The largest status an agent composes (see {@link NodeStatusBoundsTest#worst}) is admitted by a
 * real API server under the committed CRD's schema bounds and stored as written: the bounds in the
 * schema and the cuts in the agent agree.
 */
@ApiTest
class WorstStatusApiTest {

  @Test
  void theWorstStatusIsAdmittedAndStoredAsWritten() throws Exception {
    TcpTeardownNodeStatus worst = NodeStatusBoundsTest.worst();
    try (KubernetesClient admin = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(admin)) {
      String name = fixtures.name("worst-status");
      TcpTeardownNode object = new TcpTeardownNode();
      object.setMetadata(new ObjectMetaBuilder().withName(name).build());
      admin.resource(object).create();
      try {
        StatusPublisher.writeStatus(admin, name, worst);
        TcpTeardownNode stored = admin.resources(TcpTeardownNode.class).withName(name).get();
        assertThat(stored.getStatus().pods()).isEqualTo(worst.pods());
        assertThat(stored.getStatus().podConflicts()).isEqualTo(worst.podConflicts());
        assertThat(stored.getStatus().podRules()).isEqualTo(worst.podRules());
        assertThat(stored.getStatus().countError()).isEqualTo(worst.countError());
        assertThat(stored.getStatus().conditions())
            .extracting(c -> c.getMessage())
            .isEqualTo(worst.conditions().stream().map(c -> c.getMessage()).toList());
      } finally {
        admin.resources(TcpTeardownNode.class).withName(name).delete();
      }
    }
  }
}
