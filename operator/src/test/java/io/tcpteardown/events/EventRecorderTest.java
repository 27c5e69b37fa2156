package io.tcpteardown.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.tcpteardown.tier.UnitTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@UnitTest
class EventRecorderTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);

  /** Records what the recorder writes; can hold the writer thread or fail. */
  static final class FakeSink implements EventWriter {
    final List<Event> created = Collections.synchronizedList(new ArrayList<>());
    final List<String> patches = Collections.synchronizedList(new ArrayList<>());
    volatile CountDownLatch hold = new CountDownLatch(0);
    volatile boolean expired;
    volatile int failNext;

    @Override
    public void create(Event event) {
      await();
      if (failNext > 0) {
        failNext--;
        throw new IllegalStateException("connection refused");
      }
      created.add(event);
    }

    @Override
    public boolean patchCount(String namespace, String name, int count, String lastTimestamp) {
      await();
      if (expired) {
        return false;
      }
      patches.add(
          (namespace.equals(EventRecorder.EVENTS_NAMESPACE) ? "" : namespace + "/")
              + name
              + " count="
              + count);
      return true;
    }

    private void await() {
      try {
        hold.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ConfigMap object(String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withUid("uid-" + name)
        .endMetadata()
        .build();
  }

  private static EventRecorder recorder(FakeSink sink, int capacity, int remembered) {
    return new EventRecorder(sink, null, "test", "host", CLOCK, capacity, remembered);
  }

  @Test
  void repeatsOfOneObjectReasonAndMessageBecomeOneEventWithACount() throws Exception {
    FakeSink sink = new FakeSink();
    try (EventRecorder recorder = recorder(sink, 100, 10)) {
      for (int i = 0; i < 5; i++) {
        recorder.emit(object("a"), EventRecorder.WARNING, "DriftCorrected", "fin was 60");
      }
      recorder.emit(object("a"), EventRecorder.WARNING, "DriftCorrected", "fin was 61");
      recorder.emit(object("b"), EventRecorder.WARNING, "DriftCorrected", "fin was 60");
      assertThat(recorder.awaitIdle(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(sink.created).hasSize(3);
    Event first = sink.created.getFirst();
    assertThat(first.getCount()).isEqualTo(1);
    assertThat(first.getInvolvedObject().getName()).isEqualTo("a");
    assertThat(first.getMetadata().getNamespace()).isEqualTo(EventRecorder.EVENTS_NAMESPACE);
    assertThat(sink.patches)
        .containsExactly(
            first.getMetadata().getName() + " count=2",
            first.getMetadata().getName() + " count=3",
            first.getMetadata().getName() + " count=4",
            first.getMetadata().getName() + " count=5");
    assertThat(sink.created)
        .extracting(Event::getMessage)
        .containsExactly("fin was 60", "fin was 61", "fin was 60");
    assertThat(sink.created.stream().map(e -> e.getMetadata().getName()).distinct()).hasSize(3);
  }

  @Test
  void anEventAboutANamespacedObjectGoesIntoItsNamespace() throws Exception {
    FakeSink sink = new FakeSink();
    ConfigMap pod =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace("shop")
            .withName("web-1")
            .withUid("uid-web-1")
            .endMetadata()
            .build();
    try (EventRecorder recorder = recorder(sink, 100, 10)) {
      recorder.emit(pod, EventRecorder.WARNING, "CloseWaitLeak", "150 CLOSE_WAIT");
      recorder.emit(pod, EventRecorder.WARNING, "CloseWaitLeak", "150 CLOSE_WAIT");
      assertThat(recorder.awaitIdle(Duration.ofSeconds(5))).isTrue();
    }
    Event event = sink.created.getFirst();
    assertThat(event.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(event.getInvolvedObject().getNamespace()).isEqualTo("shop");
    assertThat(sink.patches).containsExactly("shop/" + event.getMetadata().getName() + " count=2");
  }

  @Test
  void emitNeverWaitsForTheSinkAndAFullQueueDropsTheOldest() throws Exception {
    FakeSink sink = new FakeSink();
    sink.hold = new CountDownLatch(1);
    try (EventRecorder recorder = recorder(sink, 3, 10)) {
      recorder.emit(object("a"), EventRecorder.NORMAL, "R", "m0");
      // Let the writer take m0 and block in the sink.
      Thread.sleep(200);
      long start = System.nanoTime();
      for (int i = 1; i <= 5; i++) {
        recorder.emit(object("a"), EventRecorder.NORMAL, "R", "m" + i);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
      assertThat(recorder.dropped()).isEqualTo(2);
      sink.hold.countDown();
      assertThat(recorder.awaitIdle(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(sink.created).extracting(Event::getMessage).containsExactly("m0", "m3", "m4", "m5");
  }

  @Test
  void aFailedWriteIsDroppedAtOnceAndTheNextEventsStillGoOut() throws Exception {
    FakeSink sink = new FakeSink();
    sink.failNext = 1;
    try (EventRecorder recorder = recorder(sink, 100, 10)) {
      recorder.emit(object("a"), EventRecorder.NORMAL, "R", "lost");
      recorder.emit(object("a"), EventRecorder.NORMAL, "R", "kept");
      assertThat(recorder.awaitIdle(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(sink.created).extracting(Event::getMessage).containsExactly("kept");
  }

  @Test
  void anExpiredEventIsCreatedAnewAndForgottenKeysStartOver() throws Exception {
    FakeSink sink = new FakeSink();
    try (EventRecorder recorder = recorder(sink, 100, 2)) {
      recorder.emit(object("a"), EventRecorder.NORMAL, "R", "x");
      recorder.emit(object("b"), EventRecorder.NORMAL, "R", "x");
      recorder.emit(object("c"), EventRecorder.NORMAL, "R", "x");
      // a left the two remembered keys: a new Event, not a patch.
      recorder.emit(object("a"), EventRecorder.NORMAL, "R", "x");
      assertThat(recorder.awaitIdle(Duration.ofSeconds(5))).isTrue();
      assertThat(sink.created).hasSize(4);
      assertThat(sink.patches).isEmpty();
      sink.expired = true;
      recorder.emit(object("a"), EventRecorder.NORMAL, "R", "x");
      assertThat(recorder.awaitIdle(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(sink.created).hasSize(5);
    assertThat(sink.created.getLast().getCount()).isEqualTo(1);
  }

  @Test
  void closeStopsTheWriterThread() throws Exception {
    FakeSink sink = new FakeSink();
    EventRecorder recorder = recorder(sink, 100, 10);
    recorder.emit(object("a"), EventRecorder.NORMAL, "R", "x");
    recorder.close();
    assertThat(sink.created).hasSize(1);
    recorder.emit(object("a"), EventRecorder.NORMAL, "R", "after close");
    TimeUnit.MILLISECONDS.sleep(100);
    assertThat(sink.created).hasSize(1);
  }

  private static io.fabric8.kubernetes.api.model.Pod pod(String namespace, String name) {
    return new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withUid("uid-" + namespace + "-" + name)
        .endMetadata()
        .build();
  }

  @Test
  void aFloodAboutOnePodLeavesRoomForAnotherPodsEvent() throws Exception {
    FakeSink sink = new FakeSink();
    try (EventRecorder recorder = recorder(sink, 100, 10)) {
      for (int i = 0; i < 5_000; i++) {
        recorder.emit(pod("tenant", "flood"), EventRecorder.WARNING, "CloseWaitLeak", "n=" + i);
      }
      recorder.emit(pod("other", "quiet"), EventRecorder.WARNING, "CloseWaitLeak", "n=1");
      assertThat(recorder.awaitIdle(Duration.ofSeconds(10))).isTrue();
      assertThat(recorder.rateLimited()).isEqualTo(5_000 - EventRecorder.PER_OBJECT_BURST);
      assertThat(recorder.dropped()).isZero();
    }
    assertThat(sink.created.stream().filter(e -> e.getInvolvedObject().getName().equals("flood")))
        .hasSize(EventRecorder.PER_OBJECT_BURST);
    assertThat(sink.created.stream().filter(e -> e.getInvolvedObject().getName().equals("quiet")))
        .hasSize(1);
  }

  @Test
  void repeatsCountAgainstThePodsRateToo() throws Exception {
    FakeSink sink = new FakeSink();
    try (EventRecorder recorder = recorder(sink, 100, 10)) {
      for (int i = 0; i < 100; i++) {
        recorder.emit(pod("tenant", "flood"), EventRecorder.WARNING, "CloseWaitLeak", "same");
      }
      assertThat(recorder.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(sink.created).hasSize(1);
    assertThat(sink.patches).hasSize(EventRecorder.PER_OBJECT_BURST - 1);
  }

  @Test
  void aMessageWithControlCharactersIsWrittenAsPrintableAscii() throws Exception {
    FakeSink sink = new FakeSink();
    try (EventRecorder recorder = recorder(sink, 100, 10)) {
      recorder.emit(
          pod("tenant", "p"),
          EventRecorder.WARNING,
          "CloseWaitLeak",
          "pid 1 (\u001b[31mevil\n\u0000\u007f) " + "z".repeat(5_000));
      assertThat(recorder.awaitIdle(Duration.ofSeconds(5))).isTrue();
    }
    String message = sink.created.getFirst().getMessage();
    assertThat(message).startsWith("pid 1 (\\x1b[31mevil\\x0a\\x00\\x7f) ");
    assertThat(message.length()).isLessThanOrEqualTo(1000);
    assertThat(message.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
  }
}
