package io.tcpteardown.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.testsupport.ChartServiceAccounts;
import io.tcpteardown.testsupport.PodObjects;
import io.tcpteardown.testsupport.RequestLog;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@ApiTest
class EventRecorderApiTest {

  @Test
  void repeatsBecomeOneEventWithTheirCountOnTheApiServer() throws Exception {
    String name = "dedupe-" + UUID.randomUUID().toString().substring(0, 8);
    ConfigMap object =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name)
            .withUid(UUID.randomUUID().toString())
            .endMetadata()
            .build();
    try (KubernetesClient client = TestCluster.client()) {
      try (EventRecorder recorder =
          new EventRecorder(client, "tcp-teardown-test", "host", Clock.systemUTC())) {
        for (int i = 0; i < 7; i++) {
          recorder.emit(object, EventRecorder.WARNING, "DriftCorrected", "value was changed");
        }
        recorder.emit(object, EventRecorder.NORMAL, "Applied", "applied");
        assertThat(recorder.awaitIdle(Duration.ofSeconds(30))).isTrue();
      }
      List<Event> events =
          client
              .v1()
              .events()
              .inNamespace(EventRecorder.EVENTS_NAMESPACE)
              .withField("involvedObject.name", name)
              .list()
              .getItems();
      assertThat(events)
          .extracting(Event::getReason, Event::getCount)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("DriftCorrected", 7),
              org.assertj.core.groups.Tuple.tuple("Applied", 1));
      Event drift =
          events.stream().filter(e -> e.getReason().equals("DriftCorrected")).findFirst().get();
      assertThat(drift.getType()).isEqualTo(EventRecorder.WARNING);
      assertThat(drift.getLastTimestamp()).isGreaterThanOrEqualTo(drift.getFirstTimestamp());
      assertThat(drift.getSource().getComponent()).isEqualTo("tcp-teardown-test");
    }
  }

  /**
   * As the chart's ServiceAccounts, with exactly the rights the chart gives them: the operator on a
   * cluster-scoped object (its Events in {@value EventRecorder#EVENTS_NAMESPACE}), the agent on a
   * Pod (its Events in the Pod's namespace). Repeats are counted on the one Event (a count patch by
   * name made Fabric8 GET the Event first, which the chart does not grant: the count stayed at 1).
   */
  @Test
  void theChartsAccountsCountRepeatsWithTheVerbsTheChartGrants() throws Exception {
    try (KubernetesClient admin = TestCluster.client();
        ChartServiceAccounts accounts = ChartServiceAccounts.install(admin)) {
      String suffix = UUID.randomUUID().toString().substring(0, 8);
      ConfigMap clusterScoped =
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName("profile-" + suffix)
              .withUid(UUID.randomUUID().toString())
              .endMetadata()
              .build();
      String namespace = "shop-" + suffix;
      admin
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
      try {
        Pod pod = PodObjects.create(admin, "node-" + suffix, namespace, "leaky");
        assertCounted(
            admin, accounts.operatorKubeconfig(), clusterScoped, EventRecorder.EVENTS_NAMESPACE);
        assertCounted(admin, accounts.agentKubeconfig(), pod, namespace);
      } finally {
        admin.namespaces().withName(namespace).delete();
      }
    }
  }

  private static void assertCounted(
      KubernetesClient admin, String kubeconfig, HasMetadata object, String eventsNamespace)
      throws Exception {
    // The recorder builds its own client from this one's configuration (no retries), token
    // included.
    try (KubernetesClient client = ChartServiceAccounts.client(kubeconfig, new RequestLog());
        EventRecorder recorder =
            new EventRecorder(client, "tcp-teardown-test", "host", Clock.systemUTC())) {
      for (int i = 0; i < 3; i++) {
        recorder.emit(object, EventRecorder.WARNING, "Repeated", "the same thing again");
        assertThat(recorder.awaitIdle(Duration.ofSeconds(30))).isTrue();
      }
    }
    assertThat(
            admin
                .v1()
                .events()
                .inNamespace(eventsNamespace)
                .withField("involvedObject.name", object.getMetadata().getName())
                .list()
                .getItems())
        .extracting(Event::getReason, Event::getCount)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("Repeated", 3));
  }

  @Test
  void anUnreachableApiServerCostsTheCallerNothingAndEachEventOneShortAttempt() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ConfigMap object = new ConfigMapBuilder().withNewMetadata().withName("x").endMetadata().build();
    try (KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(
                    new ConfigBuilder()
                        .withMasterUrl("https://127.0.0.1:" + closedPort)
                        .withTrustCerts(true)
                        .build())
                .build();
        EventRecorder recorder =
            new EventRecorder(client, "tcp-teardown-test", "host", Clock.systemUTC())) {
      long start = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        recorder.emit(object, EventRecorder.WARNING, "R", "m" + i);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
      // Five refused Events, one attempt each: far from the 20 s per Event of the client's retries.
      assertThat(recorder.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }
  }
}
