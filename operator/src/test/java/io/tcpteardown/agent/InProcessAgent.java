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

/** The agent's real loop in this JVM, on a fake /proc root ({@link FakeProcRoot}). */
final class InProcessAgent {
  private InProcessAgent() {}

  /**
   * @param watch the client the agent watches its TcpTeardownNode with
   * @param writes the client its status writes and Events go through
   * @param work where its state file goes
   * @param metrics its metrics, for the test to read
   */
  static NodeAgent create(
      KubernetesClient watch,
      KubernetesClient writes,
      String node,
      Path procRoot,
      Path work,
      Duration driftCheckInterval,
      Duration reportInterval,
      AgentMetrics metrics) {
    Clock clock = Clock.systemUTC();
    return new NodeAgent(
        watch,
        new AgentSettings(node, driftCheckInterval, reportInterval),
        new SysctlApplier(
            new SysctlFiles(procRoot),
            new StateFile(work.resolve("state/state.json")),
            NodeMemory.of(procRoot, java.util.Optional::empty)),
        new NodeObserver(procRoot),
        metrics,
        new EventRecorder(writes, "tcp-teardown-agent", node, clock),
        new StatusPublisher(writes, node, metrics, clock),
        new AgentStatusComposer(new AgentInfo("agent-test", "test")),
        clock);
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
