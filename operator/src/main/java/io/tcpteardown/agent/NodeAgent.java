package io.tcpteardown.agent;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.agent.sysctl.DriftResult;
import io.tcpteardown.agent.sysctl.FieldError;
import io.tcpteardown.agent.sysctl.SysctlApplier;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.rules.Violation;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's loop. It watches only its own TcpTeardownNode and makes the kernel match its
 * spec; checks for drift every drift-check interval; reports status at once after a change and
 * otherwise every report interval (with ±10% jitter). All kernel work happens on one platform
 * thread; status writes on another (see {@link StatusPublisher}), so an unreachable API server
 * never stops the agent from keeping and counting. Stopping the agent restores nothing.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final double JITTER = 0.10;

  private final KubernetesClient client;
  private final AgentSettings settings;
  private final SysctlApplier applier;
  private final NodeObserver observer;
  private final AgentMetrics metrics;
  private final EventRecorder events;
  private final StatusPublisher publisher;
  private final AgentStatusComposer composer;
  private final Clock clock;
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("agent-loop").unstarted(r));
  private final AtomicReference<TcpTeardownNode> latest = new AtomicReference<>();
  private final AtomicReference<Instant> lastLoopRun = new AtomicReference<>();
  private SharedIndexInformer<TcpTeardownNode> informer;

  // Confined to the loop thread.
  private AgentState state;
  private NodeObservation lastObservation;
  private List<Condition> lastConditions = List.of();

  public NodeAgent(
      KubernetesClient client,
      AgentSettings settings,
      SysctlApplier applier,
      NodeObserver observer,
      AgentMetrics metrics,
      EventRecorder events,
      StatusPublisher publisher,
      AgentStatusComposer composer,
      Clock clock) {
    this.client = client;
    this.settings = settings;
    this.applier = applier;
    this.observer = observer;
    this.metrics = metrics;
    this.events = events;
    this.publisher = publisher;
    this.composer = composer;
    this.clock = clock;
  }

  public void start() {
    loop.execute(guarded(this::observe));
    informer =
        client.resources(TcpTeardownNode.class).withName(settings.nodeName()).runnableInformer(0);
    informer.exceptionHandler(
        (started, error) -> {
          LOG.warn(
              "watch of TcpTeardownNode {} failed, retrying: {}",
              settings.nodeName(),
              error.getMessage());
          return true;
        });
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(TcpTeardownNode node) {
            changed(node);
          }

          @Override
          public void onUpdate(TcpTeardownNode before, TcpTeardownNode after) {
            changed(after);
          }

          @Override
          public void onDelete(TcpTeardownNode node, boolean unknownFinalState) {
            // Nothing is restored when the object goes (node deleted, CRDs removed): values stay as
            // they are.
            latest.set(null);
            LOG.info(
                "TcpTeardownNode {} was deleted; the kernel values stay as they are",
                settings.nodeName());
          }
        });
    informer.start();
    long drift = settings.driftCheckInterval().toMillis();
    loop.scheduleWithFixedDelay(guarded(this::checkDrift), drift, drift, TimeUnit.MILLISECONDS);
    scheduleReport();
  }

  /** Healthy while the loop thread keeps running its checks. */
  public boolean healthy() {
    Instant last = lastLoopRun.get();
    Duration allowed = settings.driftCheckInterval().multipliedBy(3).plusSeconds(30);
    return last != null && last.plus(allowed).isAfter(clock.instant());
  }

  private void changed(TcpTeardownNode node) {
    TcpTeardownNode previous = latest.getAndSet(node);
    boolean specChanged =
        previous == null
            || !Objects.equals(
                previous.getMetadata().getGeneration(), node.getMetadata().getGeneration());
    if (specChanged) {
      loop.execute(guarded(this::reconcile));
    }
  }

  /** Applies the latest spec; true when it published a status. */
  private boolean reconcile() {
    TcpTeardownNode node = latest.get();
    if (node == null) {
      return false;
    }
    TcpTeardownNodeStatus reported = node.getStatus();
    if (state == null) {
      long carried =
          reported == null || reported.driftCorrections() == null ? 0 : reported.driftCorrections();
      state = AgentState.initial(carried);
      lastConditions =
          reported == null || reported.conditions() == null ? List.of() : reported.conditions();
    }
    TeardownSettings desired =
        node.getSpec() == null ? TeardownSettings.NONE : node.getSpec().settings();
    Map<String, String> mirror =
        reported == null || reported.original() == null ? Map.of() : reported.original();
    ApplyResult result = applier.apply(desired, mirror);
    AgentState previous = state;
    AgentState.Problems problems = problems(result);
    List<DriftCorrection> lastDrift =
        previous.generation() == generation(node) ? previous.lastDrift() : List.of();
    state =
        new AgentState(
            generation(node),
            desired,
            result.applied(),
            result.originals(),
            problems,
            lastDrift,
            previous.driftCorrections());
    metrics.applyErrors(problems.count());
    boolean problemsChanged = !problems.text().equals(previous.problems().text());
    recordApplyEvents(node, result, problemsChanged ? problems : AgentState.Problems.NONE);
    observe();
    // A retry that changed nothing (the same error again) waits for the next report instead.
    if (problemsChanged
        || previous.generation() != state.generation()
        || !previous.applied().equals(state.applied())
        || !result.changed().isEmpty()
        || !result.restored().isEmpty()) {
      publishNow();
      return true;
    }
    return false;
  }

  /**
   * A failed step is logged and the loop goes on: an exception must not cancel the periodic checks.
   */
  private static Runnable guarded(Runnable step) {
    return () -> {
      try {
        step.run();
      } catch (RuntimeException e) {
        LOG.error("agent step failed; it runs again at its next turn", e);
      }
    };
  }

  private void checkDrift() {
    lastLoopRun.set(clock.instant());
    TcpTeardownNode node = latest.get();
    if (node == null || state == null) {
      observe();
      return;
    }
    if (state.problems().stateFile().isPresent() || !state.problems().refused().isEmpty()) {
      // Nothing was written: start again (a state file someone repaired), at the drift-check pace.
      reconcile();
      return;
    }
    DriftResult drift = applier.correctDrift(state.desired());
    Map<ManagedSysctl, Long> applied = new HashMap<>(state.applied());
    drift.corrected().forEach(c -> applied.put(c.sysctl(), c.expected()));
    drift.errors().keySet().forEach(applied::remove);
    boolean changed =
        !drift.corrected().isEmpty()
            || !state.lastDrift().isEmpty()
            || !applied.equals(state.applied());
    state =
        new AgentState(
            state.generation(),
            state.desired(),
            applied,
            state.originals(),
            state.problems(),
            drift.corrected(),
            state.driftCorrections() + drift.corrected().size());
    if (!drift.corrected().isEmpty()) {
      metrics.driftCorrections(drift.corrected().size());
      events.emit(
          node,
          EventRecorder.WARNING,
          NodeConditions.EVENT_DRIFT_CORRECTED,
          "changed outside the operator: "
              + drift.corrected().stream()
                  .map(DriftCorrection::describe)
                  .collect(Collectors.joining("; ")));
    }
    boolean published = false;
    if (!drift.errors().isEmpty() || state.problems().any()) {
      // A field failed: apply again, which reports it per field and retries what was transient.
      published = reconcile();
    } else {
      observe();
    }
    if (changed && !published) {
      publishNow();
    }
  }

  private void report() {
    try {
      observe();
      if (state != null && latest.get() != null) {
        publishNow();
      }
    } finally {
      scheduleReport();
    }
  }

  private void scheduleReport() {
    long base = settings.reportInterval().toMillis();
    long jittered =
        Math.round(base * (1 - JITTER + 2 * JITTER * ThreadLocalRandom.current().nextDouble()));
    try {
      loop.schedule(guarded(this::report), jittered, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("agent stopping: no further reports");
    }
  }

  private void observe() {
    lastLoopRun.set(clock.instant());
    try {
      lastObservation = observer.observe();
      metrics.observed(lastObservation);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not count teardown states: {}", e.getMessage());
    }
  }

  private void publishNow() {
    if (lastObservation == null) {
      return;
    }
    TcpTeardownNodeStatus status =
        composer.compose(state, lastObservation, lastConditions, clock.instant());
    lastConditions = status.conditions();
    publisher.publish(status);
  }

  private void recordApplyEvents(
      TcpTeardownNode node, ApplyResult result, AgentState.Problems problems) {
    if (result.reappliedAfterReboot()) {
      events.emit(
          node,
          EventRecorder.NORMAL,
          NodeConditions.EVENT_REAPPLIED_AFTER_REBOOT,
          "the node rebooted; re-applied " + AgentStatusComposer.keyed(result.applied()));
    } else if (!result.changed().isEmpty()) {
      events.emit(
          node,
          EventRecorder.NORMAL,
          NodeConditions.EVENT_APPLIED,
          "applied "
              + result.changed().stream()
                  .map(s -> s.key() + "=" + result.applied().get(s))
                  .collect(Collectors.joining(", ")));
    }
    if (!result.restored().isEmpty()) {
      events.emit(
          node,
          EventRecorder.NORMAL,
          NodeConditions.EVENT_RESTORED,
          "restored original values: "
              + result.restored().stream()
                  .map(ManagedSysctl::key)
                  .collect(Collectors.joining(", ")));
    }
    if (problems.any()) {
      events.emit(node, EventRecorder.WARNING, NodeConditions.EVENT_APPLY_FAILED, problems.text());
    }
  }

  private static AgentState.Problems problems(ApplyResult result) {
    Map<String, String> fields =
        result.errors().values().stream()
            .collect(Collectors.toMap(e -> e.sysctl().key(), FieldError::message));
    List<String> refused = result.rejected().stream().map(Violation::message).toList();
    return new AgentState.Problems(refused, result.stateFileProblem(), fields);
  }

  private static long generation(TcpTeardownNode node) {
    Long generation = node.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    publisher.close();
    observer.close();
  }
}
