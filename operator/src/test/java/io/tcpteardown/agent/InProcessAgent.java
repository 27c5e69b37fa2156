package io.tcpteardown.agent;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.agent.sysctl.NodeMemory;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.agent.sysctl.SysctlApplier;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.events.EventRecorder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The agent's real loop in this JVM, on a fake /proc root ({@link FakeProcRoot}), without pods or
 * listeners; closing it closes what it built, in reverse order.
 */
final class InProcessAgent implements AutoCloseable {
  private final NodeAgent agent;
  private final List<AutoCloseable> parts;

  private InProcessAgent(NodeAgent agent, List<AutoCloseable> parts) {
    this.agent = agent;
    this.parts = parts;
  }

  /**
   * @param watch the client the agent watches its TcpTeardownNode with
   * @param writes the client its status writes and Events go through
   * @param work where its state file goes
   * @param metrics its metrics, for the test to read
   */
  static InProcessAgent create(
      KubernetesClient watch,
      KubernetesClient writes,
      String node,
      Path procRoot,
      Path work,
      Duration driftCheckInterval,
      Duration reportInterval,
      AgentMetrics metrics) {
    Clock clock = Clock.systemUTC();
    Path stateFile = work.resolve("state/state.json");
    AgentSettings settings =
        new AgentSettings(
            node,
            "agent-test",
            procRoot,
            stateFile,
            driftCheckInterval,
            reportInterval,
            0,
            "",
            -1,
            "127.0.0.1",
            false,
            0.02,
            Duration.ofSeconds(15),
            20,
            50,
            100);
    EventRecorder events = new EventRecorder(writes, "tcp-teardown-agent", node, clock);
    StatusPublisher publisher = new StatusPublisher(writes, node, metrics, clock);
    NodeObserver observer = new NodeObserver(procRoot);
    NodeAgent agent =
        new NodeAgent(
            watch,
            settings,
            new SysctlApplier(
                new SysctlFiles(procRoot),
                new StateFile(stateFile),
                NodeMemory.of(procRoot, java.util.Optional::empty)),
            observer,
            new NodeAgent.Reporting(
                metrics,
                events,
                publisher,
                new AgentStatusComposer(new AgentInfo("agent-test", "test"))),
            new LatestNodeSpec(),
            PodLoops.NONE,
            clock);
    return new InProcessAgent(agent, List.of(agent, observer, publisher, events));
  }

  void start() {
    agent.start();
  }

  boolean healthy() {
    return agent.healthy();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable part : parts) {
      part.close();
    }
  }

  /** A TcpTeardownNode asking for tcp_fin_timeout, as profile "test" would. */
  static TcpTeardownNode finTimeout(String node, int seconds) {
    TcpTeardownNode object = new TcpTeardownNode();
    object.setMetadata(new ObjectMetaBuilder().withName(node).build());
    object.setSpec(spec(seconds));
    return object;
  }

  static TcpTeardownNodeSpec spec(int finTimeoutSeconds) {
    return TcpTeardownNodeSpec.of(
        TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, finTimeoutSeconds),
        Map.of("finTimeoutSeconds", "test"),
        List.of("test"),
        List.of());
  }
}
