package io.tcpteardown.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.agent.pods.CloseWaitHolders;
import io.tcpteardown.agent.pods.CpuBudget;
import io.tcpteardown.agent.pods.NamespaceCounter;
import io.tcpteardown.agent.pods.NamespaceFacts;
import io.tcpteardown.agent.pods.NamespaceLabels;
import io.tcpteardown.agent.pods.NamespaceScanner;
import io.tcpteardown.agent.pods.NamespaceThread;
import io.tcpteardown.agent.pods.NodePods;
import io.tcpteardown.agent.pods.PodDirectory;
import io.tcpteardown.agent.pods.PodMetrics;
import io.tcpteardown.agent.pods.PodSweepLoop;
import io.tcpteardown.agent.pods.PodTuner;
import io.tcpteardown.agent.pods.PodTuningLoop;
import io.tcpteardown.agent.pods.SweepPacer;
import io.tcpteardown.agent.sysctl.NodeMemory;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.agent.sysctl.SysctlApplier;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.http.EndpointServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the node agent (the node loop, the pod sweeps and the pod tuning loop, their listeners) and
 * runs it until closed: the one place the agent's objects are built. The listeners are bound before
 * anything touches the kernel, so that a port clash stops the agent before it changed anything.
 * Everything built is closed exactly once, in the reverse order of building, whether the start
 * failed half-way or the agent stops.
 */
public final class AgentRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentRuntime.class);

  /** How soon a pod that should be tuned but has no namespace yet is looked for again. */
  static final Duration POD_WAITING_RETRY = Duration.ofMillis(250);

  /** How often the Node's memory capacity is read again (for the memory safety rule). */
  private static final Duration CAPACITY_REFRESH = Duration.ofMinutes(10);

  private static final String COMPONENT = "tcp-teardown-agent";

  /** The agent's two listeners. */
  public enum Listener {
    /** The kubelet's probes, /healthz only. */
    PROBE,
    /** /metrics and /healthz. */
    METRICS
  }

  /** A listener could not be bound; nothing was changed on the node, everything built is closed. */
  public static final class ListenerUnavailable extends IOException {
    private final Listener listener;

    ListenerUnavailable(Listener listener, IOException cause) {
      super(cause.getMessage(), cause);
      this.listener = listener;
    }

    public Listener listener() {
      return listener;
    }
  }

  private final Resources built;
  private final EndpointServer metrics;

  private AgentRuntime(Resources built, EndpointServer metrics) {
    this.built = built;
    this.metrics = metrics;
  }

  /**
   * Builds the agent, binds its listeners and starts its loops.
   *
   * @param client the API server and identity to use; closed with the runtime
   * @param version this agent's version, reported in status
   * @param warnings where a degraded start is told (pods that cannot be counted)
   * @throws ListenerUnavailable when a listener cannot be bound: then nothing was started
   */
  public static AgentRuntime start(
      KubernetesClient client, AgentSettings settings, String version, Consumer<String> warnings)
      throws ListenerUnavailable {
    Resources built = new Resources();
    built.add(client);
    try {
      return start(built, client, settings, version, warnings);
    } catch (ListenerUnavailable | RuntimeException e) {
      built.close();
      throw e;
    }
  }

  private static AgentRuntime start(
      Resources built,
      KubernetesClient client,
      AgentSettings settings,
      String version,
      Consumer<String> warnings)
      throws ListenerUnavailable {
    String nodeName = settings.nodeName();
    Clock clock = Clock.systemUTC();
    AgentMetrics metrics = new AgentMetrics(nodeName);
    // One instance: the node's and the pods' sections are saved under its lock.
    StateFile states = new StateFile(settings.stateFile());
    NodeCapacity capacity = built.add(NodeCapacity.read(client, nodeName, CAPACITY_REFRESH));
    NodeMemory memory =
        NodeMemory.of(settings.procRoot(), capacity::memoryBytes, capacity::maxPods);
    SysctlApplier applier = new SysctlApplier(new SysctlFiles(settings.procRoot()), states, memory);
    EventRecorder events = built.add(new EventRecorder(client, COMPONENT, nodeName, clock));
    StatusPublisher publisher = built.add(new StatusPublisher(client, nodeName, metrics, clock));
    NodeObserver observer = built.add(new NodeObserver(settings.procRoot(), memory));
    AdviceBook advice = new AdviceBook();
    LatestNodeSpec latest = new LatestNodeSpec();
    Optional<PodMachinery> pods = Optional.empty();
    if (settings.pods()) {
      Resources podParts = new Resources();
      try {
        pods =
            Optional.of(
                PodMachinery.build(
                    podParts, client, settings, states, metrics, events, latest, clock));
        built.add(podParts);
      } catch (IOException | RuntimeException e) {
        podParts.close();
        warnings.accept(
            "warning: pods are not counted ("
                + e.getMessage()
                + "): the agent needs root and"
                + " hostPID: true to enter pods' network namespaces; the node is still managed.");
      }
    }
    NodeAgent agent =
        built.add(
            new NodeAgent(
                client,
                settings,
                applier,
                observer,
                new NodeAgent.Reporting(
                    metrics,
                    events,
                    publisher,
                    new AgentStatusComposer(
                        new AgentInfo(
                            settings.podName().isBlank() ? null : settings.podName(),
                            version,
                            pods.isPresent() ? List.of(AgentInfo.POD_RULES) : null)),
                    advice,
                    capacity::adviceEnabled),
                latest,
                pods.map(PodMachinery::loops).orElse(PodLoops.NONE),
                clock));
    // The listeners before the kernel: a port clash must stop the agent before it has changed
    // anything, not crash-loop a pod that already applied settings.
    if (settings.probeListener()) {
      built.add(
          bind(
              Listener.PROBE,
              EndpointServer.on(settings.probeAddress(), settings.probePort())
                  .probe("/healthz", agent::healthy)));
    }
    EndpointServer endpoints =
        built.add(
            bind(
                Listener.METRICS,
                EndpointServer.on(settings.metricsAddress(), settings.metricsPort())
                    .probe("/healthz", agent::healthy)
                    .metrics(metrics::scrape)));
    agent.start();
    pods.ifPresent(PodMachinery::start);
    return new AgentRuntime(built, endpoints);
  }

  private static EndpointServer bind(Listener listener, EndpointServer.Builder server)
      throws ListenerUnavailable {
    try {
      return server.start();
    } catch (IOException e) {
      throw new ListenerUnavailable(listener, e);
    }
  }

  /** The port /metrics is served on (the one picked when the settings ask for 0). */
  public int metricsPort() {
    return metrics.port();
  }

  /** Stops the listeners, the loops and the watches, and closes the client; once. */
  @Override
  public void close() {
    built.close();
  }

  /**
   * The pod sweeps and the pod tuning loop, on one CPU budget: the sweeps count the pods' network
   * namespaces on a thread of their own; the tuning loop applies the pod rules in them on a setns
   * thread of its own (so that a long sweep never delays a new pod's values), driven by the pod and
   * namespace watches.
   */
  private record PodMachinery(PodSweepLoop sweeps, PodTuningLoop tuning) {
    static PodMachinery build(
        Resources built,
        KubernetesClient client,
        AgentSettings settings,
        StateFile states,
        AgentMetrics metrics,
        EventRecorder events,
        LatestNodeSpec latest,
        Clock clock)
        throws IOException {
      PodDirectory directory = built.add(PodDirectory.watch(client, settings.nodeName()));
      SweepPacer pacer =
          new SweepPacer(settings.podSweepCpuBudget(), settings.podSweepMinInterval());
      // One CPU budget for sweeps and the tuning loop's rescans (CpuBudget).
      CpuBudget budget = CpuBudget.of(pacer);
      NamespaceFacts facts = NamespaceFacts.keptFiveMinutes();
      NamespaceCounter sweeper = built.add(new NamespaceCounter(settings.procRoot(), clock, facts));
      PodSweepLoop sweeps =
          built.add(
              new PodSweepLoop(
                  sweeper,
                  directory,
                  new CloseWaitHolders(settings.procRoot(), sweeper::closeWaitInodes),
                  events,
                  new PodMetrics(metrics.registry(), settings.podMetricsLimit()),
                  new PodSweepLoop.Settings(
                      pacer,
                      settings.statusPodLimit(),
                      settings.podMetricsLimit(),
                      settings.closeWaitThreshold()),
                  budget,
                  clock));
      NamespaceLabels namespaces = built.add(NamespaceLabels.watch(client));
      NamespaceThread thread = built.add(NamespaceThread.start(settings.procRoot()));
      PodTuningLoop tuning =
          built.add(
              new PodTuningLoop(
                  new PodTuner(thread, states, settings.procRoot(), facts::forget),
                  states,
                  new NamespaceScanner(settings.procRoot()),
                  new NodePods(directory, namespaces),
                  latest::podRules,
                  settings.driftCheckInterval(),
                  POD_WAITING_RETRY,
                  budget,
                  ManagementFactory.getThreadMXBean()::getCurrentThreadCpuTime,
                  events,
                  clock));
      directory.onChange(tuning::trigger);
      namespaces.onChange(tuning::trigger);
      return new PodMachinery(sweeps, tuning);
    }

    PodLoops loops() {
      return new PodLoops(sweeps::latest, tuning::latest, tuning::trigger);
    }

    void start() {
      sweeps.start();
      tuning.start();
    }
  }

  /** What was built, closed once in the reverse order of building. */
  private static final class Resources implements AutoCloseable {
    private final Deque<AutoCloseable> stack = new ArrayDeque<>();
    private boolean closed;

    synchronized <T extends AutoCloseable> T add(T resource) {
      stack.push(resource);
      return resource;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      while (!stack.isEmpty()) {
        AutoCloseable resource = stack.pop();
        try {
          resource.close();
        } catch (Exception e) {
          LOG.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
        }
      }
    }
  }
}
