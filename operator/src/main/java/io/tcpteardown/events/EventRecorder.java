package io.tcpteardown.events;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.api.SafeText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events about this project's cluster-scoped objects, off the caller's thread.
 * Events about cluster-scoped objects live in one namespace ({@value #EVENTS_NAMESPACE}, where
 * kubectl describe looks for them).
 *
 * <p>{@link #emit} only puts the Event in a bounded queue and returns at once; when the queue is
 * full the oldest Event is dropped. One thread of its own writes them, each with a single attempt
 * and short timeouts (no client retries): a failure is logged and the Event dropped, never fatal.
 * Repeats of the same (object, type, reason, message) become one Event whose {@code count} and
 * {@code lastTimestamp} rise (created once, then patched), as {@code kubectl get events} shows
 * them; the recorder remembers the last {@value #DEFAULT_REMEMBERED} such keys.
 *
 * <p>Messages are made printable ASCII ({@link SafeText}: they name processes tenants name) and cut
 * at {@value #MAX_MESSAGE} characters. Events about a namespaced object (a tenant's Pod) are
 * rate-limited per object: {@value #PER_OBJECT_BURST} at once, then one a minute, for up to {@value
 * #PER_OBJECT_TRACKED} objects remembered.
 */
public final class EventRecorder implements EventSink, AutoCloseable {
  public static final String EVENTS_NAMESPACE = "default";
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  static final int DEFAULT_CAPACITY = 100;
  static final int DEFAULT_REMEMBERED = 256;
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1000;

  /** Events about one namespaced object (a tenant's Pod) at once. */
  static final int PER_OBJECT_BURST = 10;

  /** Then one more Event about that object per this. */
  static final Duration PER_OBJECT_REFILL = Duration.ofMinutes(1);

  /** Namespaced objects whose rate is remembered (least recently used forgotten). */
  static final int PER_OBJECT_TRACKED = 4096;

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final EventWriter sink;
  private final String component;
  private final String host;
  private final Clock clock;
  private final int capacity;
  private final AutoCloseable ownedClient;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Map<Key, Recorded> recent;
  private final Thread worker;
  private final ObjectRateLimit perObject =
      new ObjectRateLimit(PER_OBJECT_BURST, PER_OBJECT_REFILL, PER_OBJECT_TRACKED);
  private long rateLimited;
  private boolean busy;
  private boolean closed;
  private long dropped;
  private int sequence;

  /**
   * A recorder writing through its own client derived from {@code client}: the same server and
   * credentials, no retries, short timeouts.
   */
  public EventRecorder(KubernetesClient client, String component, String host, Clock clock) {
    this(new ApiEventWriter(quick(client)), component, host, clock);
  }

  private EventRecorder(ApiEventWriter sink, String component, String host, Clock clock) {
    this(sink, sink.client(), component, host, clock, DEFAULT_CAPACITY, DEFAULT_REMEMBERED);
  }

  EventRecorder(
      EventWriter sink,
      AutoCloseable ownedClient,
      String component,
      String host,
      Clock clock,
      int capacity,
      int remembered) {
    this.sink = sink;
    this.ownedClient = ownedClient;
    this.component = component;
    this.host = host;
    this.clock = clock;
    this.capacity = capacity;
    this.recent =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Recorded> eldest) {
            return size() > remembered;
          }
        };
    this.worker = Thread.ofPlatform().daemon().name("event-recorder").start(this::run);
  }

  private static KubernetesClient quick(KubernetesClient client) {
    Config config =
        new ConfigBuilder(client.getConfiguration())
            .withRequestRetryBackoffLimit(0)
            .withConnectionTimeout((int) CONNECT_TIMEOUT.toMillis())
            .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Queues an Event about {@code object}; never blocks on the API server. */
  @Override
  public void emit(HasMetadata object, String type, String reason, String message) {
    String text = message == null ? "" : SafeText.of(message, MAX_MESSAGE);
    ObjectReference involved =
        new ObjectReferenceBuilder()
            .withApiVersion(object.getApiVersion())
            .withKind(object.getKind())
            .withNamespace(object.getMetadata().getNamespace())
            .withName(object.getMetadata().getName())
            .withUid(object.getMetadata().getUid())
            .build();
    Pending event = new Pending(new Key(involved, type, reason, text), clock.instant().toString());
    lock.lock();
    try {
      if (closed || !withinRate(involved)) {
        return;
      }
      if (queue.size() >= capacity) {
        Pending oldest = queue.pollFirst();
        dropped++;
        LOG.warn(
            "event queue full ({} waiting): dropped the oldest, {} on {} {}",
            capacity,
            oldest.key().reason(),
            oldest.key().involved().getKind(),
            oldest.key().involved().getName());
      }
      queue.addLast(event);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether an Event about this object may be queued now: Events about namespaced objects (tenants'
   * Pods) are limited per object ({@value #PER_OBJECT_BURST} at once, then one per {@link
   * #PER_OBJECT_REFILL}), so that one namespace can neither flood the API server nor push others'
   * Events out of the queue. Events about this project's cluster-scoped objects are not limited
   * here. Called under {@link #lock}.
   */
  private boolean withinRate(ObjectReference involved) {
    if (involved.getNamespace() == null || involved.getNamespace().isBlank()) {
      return true;
    }
    String object =
        involved.getKind()
            + "/"
            + involved.getNamespace()
            + "/"
            + involved.getName()
            + "/"
            + involved.getUid();
    ObjectRateLimit.Answer answer =
        perObject.take(object, ChronoUnit.NANOS.between(Instant.EPOCH, clock.instant()));
    if (answer == ObjectRateLimit.Answer.ALLOWED) {
      return true;
    }
    rateLimited++;
    if (answer == ObjectRateLimit.Answer.FIRST_REFUSED) {
      LOG.warn(
          "events about {} {}/{} exceed {} at once and one per {} s: dropped until its rate falls",
          SafeText.of(involved.getKind(), 64),
          SafeText.of(involved.getNamespace(), 64),
          SafeText.of(involved.getName(), 253),
          PER_OBJECT_BURST,
          PER_OBJECT_REFILL.toSeconds());
    }
    return false;
  }

  /** Events about namespaced objects dropped by the per-object rate limit. */
  public long rateLimited() {
    lock.lock();
    try {
      return rateLimited;
    } finally {
      lock.unlock();
    }
  }

  /** Events dropped because the queue was full. */
  public long dropped() {
    lock.lock();
    try {
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every queued Event has been written or given up; false on timeout. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!queue.isEmpty() || busy) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (true) {
      Pending next;
      lock.lock();
      try {
        while (queue.isEmpty() && !closed) {
          changed.awaitUninterruptibly();
        }
        if (queue.isEmpty()) {
          return;
        }
        next = queue.pollFirst();
        busy = true;
      } finally {
        lock.unlock();
      }
      try {
        write(next);
      } catch (RuntimeException e) {
        LOG.warn(
            "could not record event {} on {} {} (dropped): {}",
            next.key().reason(),
            next.key().involved().getKind(),
            next.key().involved().getName(),
            e.getMessage());
      } finally {
        lock.lock();
        try {
          busy = false;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Runs on the worker thread only: {@link #recent} is confined to it. */
  private void write(Pending event) {
    Recorded known = recent.get(event.key());
    if (known != null) {
      int count = known.count() + 1;
      if (sink.patchCount(
          namespaceOf(event.key().involved()), known.name(), count, event.timestamp())) {
        recent.put(event.key(), new Recorded(known.name(), count));
        return;
      }
    }
    // As client-go names them: the object's name and a hex timestamp (plus a sequence number, so
    // that two Events in one clock tick differ).
    String name =
        String.format(
            "%s.%x%04x",
            event.key().involved().getName(),
            ChronoUnit.NANOS.between(Instant.EPOCH, clock.instant()),
            sequence++ & 0xffff);
    sink.create(
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespaceOf(event.key().involved()))
            .endMetadata()
            .withInvolvedObject(event.key().involved())
            .withType(event.key().type())
            .withReason(event.key().reason())
            .withMessage(event.key().message())
            .withFirstTimestamp(event.timestamp())
            .withLastTimestamp(event.timestamp())
            .withCount(1)
            .withNewSource(component, host)
            .withReportingComponent(component)
            .build());
    recent.put(event.key(), new Recorded(name, 1));
  }

  /**
   * Stops taking Events, writes what is queued for up to two seconds, then stops its thread and
   * closes its client.
   */
  @Override
  public void close() {
    try {
      awaitIdle(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      closed = true;
      queue.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      worker.join(TimeUnit.SECONDS.toMillis(REQUEST_TIMEOUT.toSeconds() + 1));
      if (ownedClient != null) {
        ownedClient.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("closing the event client failed: {}", e.getMessage());
    }
  }

  /**
   * What makes two Events the same one with a higher count: the object (kind, name, uid), type,
   * reason and message.
   */
  /**
   * Events about a namespaced object (a Pod) live in its namespace; about a cluster-scoped one in
   * {@value #EVENTS_NAMESPACE}.
   */
  static String namespaceOf(ObjectReference involved) {
    return involved.getNamespace() == null || involved.getNamespace().isBlank()
        ? EVENTS_NAMESPACE
        : involved.getNamespace();
  }

  private record Key(ObjectReference involved, String type, String reason, String message) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key k
          && java.util.Objects.equals(involved.getKind(), k.involved.getKind())
          && java.util.Objects.equals(involved.getName(), k.involved.getName())
          && java.util.Objects.equals(involved.getUid(), k.involved.getUid())
          && java.util.Objects.equals(type, k.type)
          && java.util.Objects.equals(reason, k.reason)
          && message.equals(k.message);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(
          involved.getKind(), involved.getName(), involved.getUid(), type, reason, message);
    }
  }

  private record Pending(Key key, String timestamp) {}

  private record Recorded(String name, int count) {}
}
