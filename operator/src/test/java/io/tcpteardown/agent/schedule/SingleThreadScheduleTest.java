package io.tcpteardown.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@UnitTest
class SingleThreadScheduleTest {

  @Test
  void tasksRunOnOneNamedDaemonThreadInTheirOrder() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(3);
    try (SingleThreadSchedule schedule =
        new SingleThreadSchedule("schedule-test", Duration.ofSeconds(1))) {
      Runnable record =
          () -> {
            Thread thread = Thread.currentThread();
            ran.add(thread.getName() + (thread.isDaemon() ? " daemon" : ""));
            done.countDown();
          };
      schedule.after(Duration.ofMillis(200), record);
      schedule.trigger(record);
      schedule.withFixedDelay(Duration.ofMillis(50), record);
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ran).hasSizeGreaterThanOrEqualTo(3).allMatch("schedule-test daemon"::equals);
  }

  @Test
  void closingInterruptsTheTaskAtHandWaitsForItAndDropsLaterTasks() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    SingleThreadSchedule schedule =
        new SingleThreadSchedule("schedule-test", Duration.ofSeconds(5));
    schedule.trigger(
        () -> {
          started.countDown();
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            interrupted.countDown();
          }
        });
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    long before = System.nanoTime();
    schedule.close();
    assertThat(interrupted.getCount()).isZero();
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    assertThat(schedule.after(Duration.ZERO, () -> {})).isEmpty();
    schedule.trigger(() -> {});
    schedule.withFixedDelay(Duration.ofMillis(10), () -> {});
  }
}
