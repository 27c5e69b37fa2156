package io.tcpteardown.agent.schedule;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named daemon thread of the agent (the node loop, the pod sweeps, the pod tuning loop): runs a
 * task now, after a delay or with a fixed delay between runs. Once closed it drops what it is
 * handed; closing interrupts the task at hand and waits for it at most {@code closeWait}.
 */
public final class SingleThreadSchedule implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SingleThreadSchedule.class);

  private final String name;
  private final Duration closeWait;
  private final ScheduledExecutorService executor;

  public SingleThreadSchedule(String name, Duration closeWait) {
    this.name = name;
    this.closeWait = closeWait;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name(name).factory());
  }

  /** Runs {@code task} as soon as the thread is free. */
  public void trigger(Runnable task) {
    after(Duration.ZERO, task);
  }

  /** Runs {@code task} once, {@code delay} from now; empty once closed. */
  public Optional<ScheduledFuture<?>> after(Duration delay, Runnable task) {
    try {
      return Optional.of(executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS));
    } catch (RejectedExecutionException e) {
      LOG.debug("{} stopped: a task was dropped", name);
      return Optional.empty();
    }
  }

  /** Runs {@code task} {@code delay} from now, and again {@code delay} after each run ends. */
  public void withFixedDelay(Duration delay, Runnable task) {
    long millis = delay.toMillis();
    try {
      executor.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("{} stopped: a task was dropped", name);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(closeWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
