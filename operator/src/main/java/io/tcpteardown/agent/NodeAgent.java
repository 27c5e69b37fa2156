package io.tcpteardown.agent;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.tcpteardown.agent.pods.EhashAdvice;
import io.tcpteardown.agent.pods.PodRulesStatus;
import io.tcpteardown.agent.pods.PodSweepLoop;
import io.tcpteardown.agent.schedule.SingleThreadSchedule;
import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.DriftResult;
import io.tcpteardown.agent.sysctl.SysctlApplier;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.events.EventRecorder;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's loop. It watches only its own TcpTeardownNode and makes the kernel match its
 * spec; checks for drift every drift-check interval; reports status at once after a change and
 * otherwise one report interval (with ±10% jitter) after its last report of any kind, so that
 * answers to a profile change spreading over the cluster come instead of periodic reports, not on
 * top of them (every agent writes about once per interval). All kernel work happens on one platform
 * thread; status writes on another (see {@link StatusPublisher}) and Events on a third (see {@link
 * EventRecorder}), so an unreachable API server never stops the agent from keeping and counting.
 * Every decision (what to publish, which Events, when to check drift) is made by {@link AgentStep};
 * this class only does the I/O and the scheduling. Stopping the agent restores nothing.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final double JITTER = 0.10;

  /** How long closing waits for a step under way. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final KubernetesClient client;
  private final AgentSettings settings;
  private final SysctlApplier applier;
  private final NodeObserver observer;
  private final AgentMetrics metrics;
  private final EventRecorder events;
  private final StatusPublisher publisher;
  private final AgentStatusComposer composer;
  private final AdviceBook advice;
  private final BooleanSupplier adviceEnabled;
  private final LatestNodeSpec latest;
  private final PodLoops pods;
  private final Clock clock;
  private final SingleThreadSchedule loop = new SingleThreadSchedule("agent-loop", CLOSE_WAIT);
  private ScheduledFuture<?> nextReport; // the loop thread's alone
  private final AtomicReference<Instant> lastLoopRun = new AtomicReference<>();
  private SharedIndexInformer<TcpTeardownNode> informer;

  // Confined to the loop thread.
  private AgentState state;
  private LatestCount count = LatestCount.NONE;
  private List<Condition> lastConditions = List.of();
  private Instant podEvidenceTaken;

  /**
   * Where the node loop's findings go: metrics, Events, the status it composes and publishes, and
   * the advice it shows there unless the Node's annotation turns it off.
   */
  public record Reporting(
      AgentMetrics metrics,
      EventRecorder events,
      StatusPublisher publisher,
      AgentStatusComposer composer,
      AdviceBook advice,
      BooleanSupplier adviceEnabled) {

    public Reporting(
        AgentMetrics metrics,
        EventRecorder events,
        StatusPublisher publisher,
        AgentStatusComposer composer) {
      this(metrics, events, publisher, composer, new AdviceBook(), () -> true);
    }
  }

  /**
   * @param client the client the node's TcpTeardownNode is watched with
   * @param latest where the watch keeps the latest spec, which the pod tuning loop reads too
   * @param pods the pod loops' latest results and their trigger on a new spec
   */
  public NodeAgent(
      KubernetesClient client,
      AgentSettings settings,
      SysctlApplier applier,
      NodeObserver observer,
      Reporting reporting,
      LatestNodeSpec latest,
      PodLoops pods,
      Clock clock) {
    this.client = client;
    this.settings = settings;
    this.applier = applier;
    this.observer = observer;
    this.metrics = reporting.metrics();
    this.events = reporting.events();
    this.publisher = reporting.publisher();
    this.composer = reporting.composer();
    this.advice = reporting.advice();
    this.adviceEnabled = reporting.adviceEnabled();
    this.latest = latest;
    this.pods = pods;
    this.clock = clock;
  }

  public void start() {
    // The first look logs whether the agent runs in the node's own network namespace.
    loop.trigger(guarded(this::observe));
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
            latest.deleted();
            LOG.info(
                "TcpTeardownNode {} was deleted; the kernel values stay as they are",
                settings.nodeName());
          }
        });
    informer.start();
    loop.withFixedDelay(settings.driftCheckInterval(), guarded(this::checkDrift));
    loop.trigger(this::scheduleReport);
  }

  /** Healthy while the loop thread keeps running its checks. */
  public boolean healthy() {
    Instant last = lastLoopRun.get();
    Duration allowed = settings.driftCheckInterval().multipliedBy(3).plusSeconds(30);
    return last != null && last.plus(allowed).isAfter(clock.instant());
  }

  private void changed(TcpTeardownNode node) {
    if (latest.update(node)) {
      loop.trigger(guarded(() -> reconcile(false)));
      pods.specChanged().run();
    }
  }

  /**
   * Applies the latest spec and observes; publishes when the step says so or {@code mustPublish}.
   */
  private void reconcile(boolean mustPublish) {
    TcpTeardownNode node = latest.get();
    if (node == null) {
      return;
    }
    TcpTeardownNodeStatus reported = node.getStatus();
    if (state == null) {
      state = AgentStep.initial(reported);
      lastConditions =
          reported == null || reported.conditions() == null ? List.of() : reported.conditions();
    }
    TeardownSettings desired =
        node.getSpec() == null || node.getSpec().settings() == null
            ? TeardownSettings.NONE
            : node.getSpec().settings();
    Map<String, String> mirror =
        reported == null || reported.original() == null ? Map.of() : reported.original();
    ApplyResult result = applier.apply(desired, mirror);
    AgentStep.Decision decision = AgentStep.applied(state, generation(node), desired, result);
    state = decision.state();
    metrics.applyErrors(state.problems().count());
    raise(node, decision.events());
    observe();
    if (decision.publish() || mustPublish) {
      publishNow();
    }
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
    Instant now = clock.instant();
    switch (AgentStep.tick(state, node != null, now)) {
      case OBSERVE, BACK_OFF -> observe();
      case REAPPLY -> reconcile(false);
      case CHECK_DRIFT -> {
        DriftResult drift = applier.correctDrift(state.desired());
        AgentStep.Decision decision =
            AgentStep.drifted(state, drift, now, settings.driftCheckInterval());
        state = decision.state();
        if (!drift.corrected().isEmpty()) {
          metrics.driftCorrections(drift.corrected().size());
        }
        raise(node, decision.events());
        if (decision.reapply()) {
          // One publish at most: the apply publishes if it or the drift check changed something.
          reconcile(decision.publish());
        } else {
          observe();
          if (decision.publish()) {
            publishNow();
          }
        }
      }
    }
  }

  private void raise(TcpTeardownNode node, List<AgentStep.AgentEvent> toRaise) {
    // The recorder only queues: an unreachable API server never holds up the kernel work.
    toRaise.forEach(e -> events.emit(node, e.type(), e.reason(), e.message()));
  }

  private void report() {
    boolean published = false;
    try {
      observe();
      if (state != null && latest.get() != null) {
        publishNow();
        published = true;
      }
    } finally {
      if (!published) {
        // publishNow() schedules the next report itself.
        scheduleReport();
      }
    }
  }

  /** The next periodic report, one jittered interval from now; replaces the one scheduled. */
  private void scheduleReport() {
    if (nextReport != null) {
      nextReport.cancel(false);
    }
    long base = settings.reportInterval().toMillis();
    long jittered =
        Math.round(base * (1 - JITTER + 2 * JITTER * ThreadLocalRandom.current().nextDouble()));
    nextReport = loop.after(Duration.ofMillis(jittered), guarded(this::report)).orElse(null);
  }

  private void observe() {
    Instant now = clock.instant();
    lastLoopRun.set(now);
    try {
      NodeObservation observation = observer.observe();
      if (count.observation() == null) {
        logNamespace(observation);
      }
      count = LatestCount.of(observation, now);
      metrics.observed(observation);
      observation.evidence().ifPresent(e -> advice.record(AdviceBook.Scope.HOST_NETWORK, e, now));
    } catch (IOException | RuntimeException e) {
      count = count.failed(e.getMessage());
      LOG.warn("could not count teardown states (status shows them stale): {}", e.getMessage());
    }
  }

  private void logNamespace(NodeObservation observation) {
    AgentStatusComposer.inInitialNamespace(observation)
        .ifPresent(
            initial -> {
              if (initial) {
                LOG.info(AgentStatusComposer.namespaceMessage(true));
              } else {
                LOG.warn(AgentStatusComposer.namespaceMessage(false));
              }
            });
  }

  private void publishNow() {
    if (state == null) {
      return;
    }
    TcpTeardownNodeStatus status =
        composer.compose(
            state,
            count,
            pods.sweeps().get(),
            pods.tuning().get().map(PodRulesStatus::of),
            lastConditions,
            clock.instant());
    pods.sweeps().get().ifPresent(this::recordPodEvidence);
    AdviceBook.Shown shown = advice.shown(sources(), podSources(), adviceEnabled.getAsBoolean());
    status = status.withAdvice(shown.entries(), shown.count());
    metrics.advised(shown.tally());
    lastConditions = status.conditions();
    publisher.publish(status);
    scheduleReport();
  }

  /**
   * Each pod sweep counts once toward its pods' advice (a report may come before the next sweep):
   * the evidence of the latest sweep not yet taken, and pods no longer swept forgotten.
   */
  private void recordPodEvidence(PodSweepLoop.Result sweep) {
    advice.sweepCost(
        sweep.ehashAdvice(),
        count.observation() == null
            ? null
            : count.observation().sysctl(ManagedSysctl.CHILD_EHASH_ENTRIES).orElse(null),
        EhashAdvice.SUGGESTED,
        clock.instant());
    if (sweep.countedAt().equals(podEvidenceTaken)) {
      return;
    }
    podEvidenceTaken = sweep.countedAt();
    Set<String> swept = new HashSet<>();
    for (PodSweepLoop.PodEvidence pod : sweep.evidence()) {
      advice.record(
          AdviceBook.Scope.pod(pod.uid(), pod.namespace(), pod.name()),
          pod.evidence(),
          sweep.countedAt());
      swept.add(pod.uid());
    }
    advice.retainPods(swept);
  }

  /** By pod UID, the profile whose pod rule sets each field in that pod: the advice names it. */
  private Map<String, Map<String, String>> podSources() {
    Map<String, Map<String, String>> byPod = new HashMap<>();
    pods.tuning()
        .get()
        .ifPresent(
            result ->
                result
                    .resolution()
                    .decisions()
                    .forEach(d -> byPod.put(d.pod().uid(), d.sources())));
    return byPod;
  }

  /** For each node field a profile sets here, that profile: the advice names it. */
  private Map<String, String> sources() {
    TcpTeardownNode node = latest.get();
    return node == null || node.getSpec() == null ? Map.of() : node.getSpec().sources();
  }

  private static long generation(TcpTeardownNode node) {
    Long generation = node.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  /** Stops the watch and the loop; what it was given is closed by whoever built it. */
  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    loop.close();
  }
}
