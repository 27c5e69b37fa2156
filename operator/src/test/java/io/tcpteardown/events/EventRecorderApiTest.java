package io.tcpteardown.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
