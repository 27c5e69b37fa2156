package io.tcpteardown.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.tcpteardown.agent.AgentMetrics;
import io.tcpteardown.agent.AgentSettings;
import io.tcpteardown.agent.AgentStatusComposer;
import io.tcpteardown.agent.NodeAgent;
import io.tcpteardown.agent.NodeCapacity;
import io.tcpteardown.agent.NodeObserver;
import io.tcpteardown.agent.StatusPublisher;
import io.tcpteardown.agent.pods.CloseWaitHolders;
import io.tcpteardown.agent.pods.CpuBudget;
import io.tcpteardown.agent.pods.NamespaceCounter;
import io.tcpteardown.agent.pods.NamespaceLabels;
import io.tcpteardown.agent.pods.NamespaceScanner;
import io.tcpteardown.agent.pods.NamespaceThread;
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
import io.tcpteardown.rules.PodFacts;
import io.tcpteardown.rules.PodRule;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "agent",
    description = {
      "Runs the node agent: makes this node's teardown sysctls match its TcpTeardownNode, keeps them from "
          + "drifting, restores originals when no profile sets them, counts teardown states and reports status.",
      "Acts on the network namespace it runs in: in a cluster a privileged DaemonSet pod with hostNetwork: true.",
      "Stopping the agent restores nothing."
    })
public final class AgentCommand implements Callable<Integer> {
  @Option(
      names = "--node-name",
      required = true,
      defaultValue = "${env:NODE_NAME}",
      description =
          "This node's name, the name of its TcpTeardownNode (env NODE_NAME, from the downward API).")
  String nodeName;

  @Option(
      names = "--pod-name",
      defaultValue = "${env:POD_NAME:-}",
      description = "This agent's pod, reported in status (env POD_NAME).")
  String podName;

  @Mixin ProcRootOption proc;

  @Option(
      names = "--state-file",
      defaultValue = "${env:STATE_FILE:-/var/lib/tcp-teardown/state.json}",
      description =
          "Node-local file of original values, on a hostPath (env STATE_FILE, default ${DEFAULT-VALUE}).")
  Path stateFile;

  @Option(
      names = "--drift-check-interval",
      defaultValue = "${env:DRIFT_CHECK_INTERVAL:-30s}",
      converter = DurationConverter.class,
      description =
          "How often managed values are re-read and written back if changed (env DRIFT_CHECK_INTERVAL, "
              + "default ${DEFAULT-VALUE}).")
  Duration driftCheckInterval;

  @Option(
      names = "--report-interval",
      defaultValue = "${env:REPORT_INTERVAL:-60s}",
      converter = DurationConverter.class,
      description =
          "How often status is written when nothing changed: one interval, ±10%% jitter, after the "
              + "last write of any kind (env REPORT_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration reportInterval;

  @Option(
      names = "--metrics-port",
      defaultValue = "${env:METRICS_PORT:-9102}",
      description =
          "Port of /metrics and /healthz (env METRICS_PORT, default ${DEFAULT-VALUE}; 0 picks a free one).")
  int metricsPort;

  @Option(
      names = "--metrics-address",
      defaultValue = "${env:METRICS_ADDRESS:-}",
      description =
          "Address of /metrics and /healthz (env METRICS_ADDRESS; default every address; the chart "
              + "passes the node's IP, status.hostIP).")
  String metricsAddress;

  @Option(
      names = "--probe-port",
      defaultValue = "${env:PROBE_PORT:-9103}",
      description =
          "Port of the kubelet's probe listener, /healthz only (env PROBE_PORT, default"
              + " ${DEFAULT-VALUE}; 0 picks a free one; -1 for none, /healthz stays on the metrics"
              + " port).")
  int probePort;

  @Option(
      names = "--probe-address",
      defaultValue = "${env:PROBE_ADDRESS:-127.0.0.1}",
      description =
          "Address of the probe listener (env PROBE_ADDRESS, default ${DEFAULT-VALUE}: in the"
              + " node's network only the node itself reaches it, so no pod can hold up the"
              + " kubelet's probes; README \"Probes\").")
  String probeAddress;

  @Option(
      names = "--pods",
      arity = "1",
      defaultValue = "${env:PODS:-true}",
      description =
          "Count the network namespace of every pod of this node (needs hostPID: true and RBAC to"
              + " watch the node's pods) (env PODS, default ${DEFAULT-VALUE}).")
  boolean pods;

  @Option(
      names = "--pod-sweep-cpu-budget",
      defaultValue = "${env:POD_SWEEP_CPU_BUDGET:-0.02}",
      description =
          "Share of one core that pod sweeps and the pod tuning loop's rescans may use on average;"
              + " both are spaced to stay inside it (env POD_SWEEP_CPU_BUDGET, default"
              + " ${DEFAULT-VALUE}, that is 2%%).")
  double podSweepCpuBudget;

  @Option(
      names = "--pod-sweep-min-interval",
      defaultValue = "${env:POD_SWEEP_MIN_INTERVAL:-15s}",
      converter = DurationConverter.class,
      description =
          "Shortest pause between two pod sweeps (env POD_SWEEP_MIN_INTERVAL, default"
              + " ${DEFAULT-VALUE}).")
  Duration podSweepMinInterval;

  @Option(
      names = "--status-pod-limit",
      defaultValue = "${env:STATUS_POD_LIMIT:-20}",
      description =
          "Pods listed in status.pods: every pod with a problem, then those with the most teardown"
              + " sockets (env STATUS_POD_LIMIT, default ${DEFAULT-VALUE}).")
  int statusPodLimit;

  @Option(
      names = "--pod-metrics-limit",
      defaultValue = "${env:POD_METRICS_LIMIT:-50}",
      description =
          "Pods with per-pod metrics, those with the most teardown sockets (env"
              + " POD_METRICS_LIMIT, default ${DEFAULT-VALUE}).")
  int podMetricsLimit;

  @Option(
      names = "--close-wait-threshold",
      defaultValue = "${env:CLOSE_WAIT_THRESHOLD:-100}",
      description =
          "A pod with at least this many CLOSE_WAIT sockets, not falling for three sweeps, is a"
              + " suspected leak (env CLOSE_WAIT_THRESHOLD, default ${DEFAULT-VALUE}).")
  long closeWaitThreshold;

  @Override
  public Integer call() throws Exception {
    AgentSettings settings = new AgentSettings(nodeName, driftCheckInterval, reportInterval);
    Clock clock = Clock.systemUTC();
    KubernetesClient client = new KubernetesClientBuilder().build();
    AgentMetrics metrics = new AgentMetrics(nodeName);
    // One instance: the node's and the pods' sections are saved under its lock.
    StateFile states = new StateFile(stateFile);
    NodeCapacity capacity = NodeCapacity.read(client, nodeName, Duration.ofMinutes(10));
    SysctlApplier applier =
        new SysctlApplier(
            new SysctlFiles(proc.procRoot),
            states,
            NodeMemory.of(proc.procRoot, capacity::memoryBytes));
    EventRecorder events = new EventRecorder(client, "tcp-teardown-agent", nodeName, clock);
    PodSweepLoop podObserver = null;
    PodTuningLoop podTuning = null;
    if (pods) {
      try {
        PodDirectory directory = PodDirectory.watch(client, nodeName);
        // One CPU budget for sweeps and the tuning loop's rescans (CpuBudget).
        CpuBudget budget = CpuBudget.of(new SweepPacer(podSweepCpuBudget, podSweepMinInterval));
        podObserver = podObserver(directory, metrics, events, budget, clock);
        podTuning = podTuning(client, directory, states, budget, events, clock);
      } catch (IOException | RuntimeException e) {
        System.err.println(
            "warning: pods are not counted ("
                + e.getMessage()
                + "): the agent needs root and"
                + " hostPID: true to enter pods' network namespaces; the node is still managed.");
      }
    }
    NodeAgent agent =
        new NodeAgent(
            client,
            settings,
            applier,
            new NodeObserver(proc.procRoot),
            metrics,
            events,
            new StatusPublisher(client, nodeName, metrics, clock),
            new AgentStatusComposer(
                new AgentInfo(
                    podName.isBlank() ? null : podName,
                    VersionProvider.version(),
                    podTuning == null ? null : List.of(AgentInfo.POD_RULES))),
            clock,
            podObserver == null ? Optional::empty : podObserver::latest);
    // Bind the port before touching the kernel: a port clash must stop the agent before it has
    // changed anything, not crash-loop a pod that already applied settings.
    EndpointServer probes = null;
    EndpointServer endpoints = null;
    try {
      if (probePort >= 0) {
        probes =
            EndpointServer.on(probeAddress, probePort).probe("/healthz", agent::healthy).start();
      }
    } catch (IOException e) {
      System.err.println(
          "error: --probe-port "
              + probePort
              + " / --probe-address "
              + probeAddress
              + ": "
              + e.getMessage()
              + ". Nothing was changed on this node. Free the port, or choose another with "
              + "--probe-port (chart value agent.probePort).");
    }
    if (probes != null || probePort < 0) {
      try {
        endpoints =
            EndpointServer.on(metricsAddress, metricsPort)
                .probe("/healthz", agent::healthy)
                .metrics(metrics::scrape)
                .start();
      } catch (IOException e) {
        System.err.println(
            "error: --metrics-port "
                + metricsPort
                + " / --metrics-address "
                + (metricsAddress == null || metricsAddress.isBlank()
                    ? "(every address)"
                    : metricsAddress)
                + ": "
                + e.getMessage()
                + ". Nothing was changed on this node. Free the port, or choose another with "
                + "--metrics-port (chart value agent.metricsPort) or an address of this node with "
                + "--metrics-address (agent.metricsAddress).");
      }
    }
    if (endpoints == null) {
      if (probes != null) {
        probes.close();
      }
      agent.close();
      capacity.close();
      if (podObserver != null) {
        podObserver.close();
      }
      if (podTuning != null) {
        podTuning.close();
      }
      client.close();
      return ExitCodes.UNREADABLE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
    try (EndpointServer metricsListener = endpoints;
        AutoCloseable probeListener = probes == null ? () -> {} : probes;
        client;
        capacity;
        agent;
        AutoCloseable sweeps = podObserver == null ? () -> {} : podObserver;
        AutoCloseable tuning = podTuning == null ? () -> {} : podTuning) {
      if (podTuning != null) {
        PodTuningLoop loop = podTuning;
        agent.podTuning(loop::latest);
        agent.onSpecChange(loop::trigger);
        podTuningRules.set(agent::podRules);
      }
      agent.start();
      if (podObserver != null) {
        podObserver.start();
      }
      if (podTuning != null) {
        podTuning.start();
      }
      stopped.await();
    }
    return ExitCodes.OK;
  }

  /** The rules come from the agent, which is built after the loop. */
  private final java.util.concurrent.atomic.AtomicReference<
          java.util.function.Supplier<Optional<List<PodRule>>>>
      podTuningRules = new java.util.concurrent.atomic.AtomicReference<>(Optional::empty);

  /**
   * Pod rules applied in the pods' namespaces, on a setns thread of their own (so that a long sweep
   * never delays a new pod's values), driven by the pod and namespace watches.
   */
  private PodTuningLoop podTuning(
      KubernetesClient client,
      PodDirectory directory,
      StateFile states,
      CpuBudget budget,
      EventRecorder events,
      Clock clock)
      throws IOException {
    NamespaceLabels namespaces = NamespaceLabels.watch(client);
    NamespaceThread thread = NamespaceThread.start(proc.procRoot);
    PodTuningLoop.Pods known =
        new PodTuningLoop.Pods() {
          @Override
          public java.util.Collection<PodFacts> pods() {
            List<PodFacts> facts = new java.util.ArrayList<>();
            directory
                .podsByCgroupUid()
                .forEach(
                    (uid, meta) -> {
                      if (!meta.hostNetwork()) {
                        facts.add(
                            new PodFacts(
                                uid,
                                meta.namespace(),
                                meta.name(),
                                meta.labels(),
                                namespaces.labels(meta.namespace()),
                                meta.ownSysctls()));
                      }
                    });
            return facts;
          }

          @Override
          public boolean synced() {
            return directory.synced() && namespaces.synced();
          }

          @Override
          public java.util.Set<String> unattributed() {
            return directory.attribution().unattributed();
          }
        };
    PodTuningLoop loop =
        new PodTuningLoop(
            new PodTuner(thread, states, proc.procRoot),
            states,
            new NamespaceScanner(proc.procRoot),
            known,
            () -> podTuningRules.get().get(),
            driftCheckInterval,
            POD_WAITING_RETRY,
            budget,
            java.lang.management.ManagementFactory.getThreadMXBean()::getCurrentThreadCpuTime,
            events,
            clock) {
          @Override
          public void close() {
            super.close();
            thread.close();
            namespaces.close();
          }
        };
    directory.onChange(loop::trigger);
    namespaces.onChange(loop::trigger);
    return loop;
  }

  /** How soon a pod that should be tuned but has no namespace yet is looked for again. */
  static final java.time.Duration POD_WAITING_RETRY = java.time.Duration.ofMillis(250);

  private PodSweepLoop podObserver(
      PodDirectory directory,
      AgentMetrics metrics,
      EventRecorder events,
      CpuBudget budget,
      Clock clock)
      throws IOException {
    NamespaceCounter sweeper = new NamespaceCounter(proc.procRoot, clock);
    return new PodSweepLoop(
        sweeper,
        directory,
        new CloseWaitHolders(proc.procRoot, sweeper::closeWaitInodes),
        events,
        new PodMetrics(metrics.registry(), podMetricsLimit),
        new PodSweepLoop.Settings(
            new SweepPacer(podSweepCpuBudget, podSweepMinInterval),
            statusPodLimit,
            podMetricsLimit,
            closeWaitThreshold),
        budget,
        clock);
  }
}
