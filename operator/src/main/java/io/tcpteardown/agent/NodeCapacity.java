package io.tcpteardown.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.rules.NodeFacts;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capacity.memory of this agent's Node and whether its annotation {@code tcpteardown.io/advice:
 * "off"} turns advice off, read on a thread of its own at start and then every {@code every} (RBAC:
 * get nodes), so that the kernel loop never waits for the API server. Memory is empty until read,
 * and while the Node cannot be read (the memory rule then uses MemTotal alone); advice stays as
 * last read (on until the Node is first read).
 */
public final class NodeCapacity implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeCapacity.class);

  private final AtomicReference<Optional<Long>> memory = new AtomicReference<>(Optional.empty());
  private final AtomicBoolean warned = new AtomicBoolean();
  private final AtomicBoolean adviceOff = new AtomicBoolean();
  private final AtomicReference<Optional<Long>> maxPods = new AtomicReference<>(Optional.empty());
  private final ScheduledExecutorService thread;

  private NodeCapacity(ScheduledExecutorService thread) {
    this.thread = thread;
  }

  public static NodeCapacity read(KubernetesClient client, String nodeName, Duration every) {
    ScheduledExecutorService thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "node-capacity");
              t.setDaemon(true);
              return t;
            });
    NodeCapacity capacity = new NodeCapacity(thread);
    thread.scheduleWithFixedDelay(
        () -> capacity.refresh(client, nodeName), 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return capacity;
  }

  private void refresh(KubernetesClient client, String nodeName) {
    try {
      Node node = client.nodes().withName(nodeName).get();
      memory.set(
          node == null ? Optional.empty() : Optional.ofNullable(NodeFacts.of(node).memoryBytes()));
      adviceOff.set(node != null && adviceOff(node));
      maxPods.set(
          node == null ? Optional.empty() : Optional.ofNullable(NodeFacts.of(node).maxPods()));
      warned.set(false);
    } catch (KubernetesClientException e) {
      if (warned.compareAndSet(false, true)) {
        LOG.warn(
            "cannot read the capacity.memory of Node {} (HTTP {}): the memory rule on maxOrphans"
                + " uses MemTotal of /proc/meminfo alone",
            nodeName,
            e.getCode());
      }
    } catch (RuntimeException e) {
      LOG.warn("reading Node {} failed: {}", nodeName, e.toString());
    }
  }

  static boolean adviceOff(Node node) {
    Map<String, String> annotations = node.getMetadata().getAnnotations();
    return annotations != null
        && AdviceEntry.ANNOTATION_OFF.equals(annotations.get(AdviceEntry.ANNOTATION));
  }

  /** The Node's capacity.pods, as last read. */
  public Optional<Long> maxPods() {
    return maxPods.get();
  }

  /** Whether the Node's annotation lets advice show, as last read. */
  public boolean adviceEnabled() {
    return !adviceOff.get();
  }

  /** The Node's capacity.memory in bytes, as last read. */
  public Optional<Long> memoryBytes() {
    return memory.get();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
