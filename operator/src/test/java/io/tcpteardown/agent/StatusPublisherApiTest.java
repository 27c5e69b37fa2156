package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.ReportedStatus;
import io.tcpteardown.testsupport.RequestLog;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import org.junit.jupiter.api.Test;

/**
 * The agent's status write as the chart's agent ServiceAccount sends it: one request per report,
 * the PATCH of the status subresource, and nothing read before it (at 5,000 nodes a GET before each
 * report doubled the agents' requests and the bytes the API server encodes for them).
 */
@ApiTest
class StatusPublisherApiTest {

  @Test
  void aReportIsOnePatchOfTheStatusAndNothingElse() throws Exception {
    try (KubernetesClient admin = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(admin);
        ChartServiceAccounts accounts = ChartServiceAccounts.install(admin)) {
      RequestLog requests = new RequestLog();
      String name = fixtures.name("one-request");
      TcpTeardownNode object = new TcpTeardownNode();
      object.setMetadata(new ObjectMetaBuilder().withName(name).build());
      admin.resource(object).create();
      TcpTeardownNodeStatus first = ReportedStatus.of(1, 10);
      TcpTeardownNodeStatus second = ReportedStatus.of(2, 3);
      try (KubernetesClient agent =
          ChartServiceAccounts.client(accounts.agentKubeconfig(), requests)) {
        StatusPublisher.writeStatus(agent, name, first);
        StatusPublisher.writeStatus(agent, name, second);

        assertThat(requests.exchanges())
            .extracting(RequestLog.Exchange::toString)
            .containsExactly(
                "PATCH /apis/tcpteardown.io/v1alpha1/tcpteardownnodes/"
                    + name
                    + "/status?fieldManager=tcp-teardown-agent -> 200",
                "PATCH /apis/tcpteardown.io/v1alpha1/tcpteardownnodes/"
                    + name
                    + "/status?fieldManager=tcp-teardown-agent -> 200");
        TcpTeardownNode stored = admin.resources(TcpTeardownNode.class).withName(name).get();
        assertThat(stored.getStatus()).isEqualTo(second);

        // The caller tells a node whose object is gone by the 404 (it stops retrying then).
        admin.resources(TcpTeardownNode.class).withName(name).delete();
        org.awaitility.Awaitility.await()
            .until(() -> admin.resources(TcpTeardownNode.class).withName(name).get() == null);
        assertThatThrownBy(() -> StatusPublisher.writeStatus(agent, name, first))
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
      } finally {
        admin.resources(TcpTeardownNode.class).withName(name).delete();
      }
    }
  }
}
