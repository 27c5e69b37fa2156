package io.tcpteardown.agent;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the node's whole status (a JSON patch of the status subresource; the agent is its only
 * writer), on a thread of its own so that an unreachable API server never holds up the kernel work.
 * Only the newest status is kept; a failed write is retried with exponential backoff (1 s doubling
 * up to 60 s) until it succeeds or a newer one replaces it.
 */
public final class StatusPublisher implements AutoCloseable {
  public static final String FIELD_MANAGER = "tcp-teardown-agent";
  private static final Logger LOG = LoggerFactory.getLogger(StatusPublisher.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration LAST_RETRY = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final String nodeName;
  private final AgentMetrics metrics;
  private final Clock clock;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("status-publisher").unstarted(r));
  private final AtomicReference<TcpTeardownNodeStatus> pending = new AtomicReference<>();
  private Duration backoff = FIRST_RETRY;

  public StatusPublisher(
      KubernetesClient client, String nodeName, AgentMetrics metrics, Clock clock) {
    this.client = client;
    this.nodeName = nodeName;
    this.metrics = metrics;
    this.clock = clock;
  }

  public void publish(TcpTeardownNodeStatus status) {
    if (pending.getAndSet(status) == null) {
      thread.execute(this::write);
    }
  }

  private void write() {
    TcpTeardownNodeStatus status = pending.get();
    if (status == null) {
      return;
    }
    try {
      writeStatus(client, nodeName, status);
      metrics.reported(clock.instant());
      backoff = FIRST_RETRY;
      done(status);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        LOG.info("TcpTeardownNode {} does not exist (any more): status not written", nodeName);
        done(status);
        return;
      }
      retryLater(e);
    } catch (RuntimeException e) {
      retryLater(e);
    }
  }

  /**
   * Writes a node's whole status the way the agent does: one JSON patch of the status subresource,
   * so that keys that left {@code applied} or {@code original} go with it (server-side apply would
   * do the same on current servers, but 1.20-era ones keep the keys of a map applied as empty).
   *
   * <p>The patch goes to {@code resource(...)} of an object that carries only the name, not to
   * {@code withName(...)}: Fabric8 answers a patch by name by GETting the whole object first, which
   * doubled every report's requests and made the API server encode the node's whole status once
   * more for nothing.
   */
  public static void writeStatus(
      KubernetesClient client, String nodeName, TcpTeardownNodeStatus status) {
    String patch =
        "[{\"op\":\"add\",\"path\":\"/status\",\"value\":"
            + client.getKubernetesSerialization().asJson(status)
            + "}]";
    TcpTeardownNode named = new TcpTeardownNode();
    named.setMetadata(new ObjectMetaBuilder().withName(nodeName).build());
    client
        .resources(TcpTeardownNode.class)
        .resource(named)
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.JSON)
                .withFieldManager(FIELD_MANAGER)
                .build(),
            patch);
  }

  /** Clears the written status, or writes again at once when a newer one arrived meanwhile. */
  private void done(TcpTeardownNodeStatus written) {
    if (!pending.compareAndSet(written, null)) {
      thread.execute(this::write);
    }
  }

  private void retryLater(RuntimeException e) {
    LOG.warn(
        "could not write the status of TcpTeardownNode {} (retrying in {} s): {}",
        nodeName,
        backoff.toSeconds(),
        e.getMessage());
    thread.schedule(this::write, backoff.toMillis(), TimeUnit.MILLISECONDS);
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : doubled;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
