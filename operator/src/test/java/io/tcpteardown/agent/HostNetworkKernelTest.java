package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HostNetwork condition from a real look at the kernel: False in a fresh network namespace
 * (where tcp_max_orphans does not exist), True in the initial one this test runs in.
 */
@KernelTest
class HostNetworkKernelTest {
  private static final AgentStatusComposer COMPOSER =
      new AgentStatusComposer(new AgentInfo("agent", "test"));

  private static Condition hostNetwork(NodeObservation observation) {
    Instant now = Instant.now();
    return Conditions.find(
            COMPOSER
                .compose(
                    AgentState.initial(0),
                    LatestCount.of(observation, now),
                    Optional.empty(),
                    Optional.empty(),
                    List.of(),
                    now)
                .conditions(),
            NodeConditions.HOST_NETWORK)
        .orElseThrow();
  }

  @Test
  void aNetworkNamespaceOtherThanTheInitialOneIsSaidToBeOne() throws Exception {
    try (NetworkNamespace namespace = NetworkNamespace.create("hostnet")) {
      NodeObservation observation =
          namespace.call(
              () -> {
                try (NodeObserver observer = new NodeObserver(namespace.procRoot())) {
                  return observer.observe();
                }
              });
      Condition condition = hostNetwork(observation);
      assertThat(condition.getStatus()).isEqualTo(Conditions.FALSE);
      assertThat(condition.getReason()).isEqualTo(NodeConditions.REASON_NOT_INITIAL_NAMESPACE);
    }
  }

  @Test
  void theInitialNamespaceIsSaidToBeIt() throws Exception {
    NetworkNamespace.requireNamespaces();
    // Only reads: the host's own values are never written by this test.
    try (NodeObserver observer = new NodeObserver(Path.of("/proc"))) {
      Condition condition = hostNetwork(observer.observe());
      assertThat(condition.getStatus()).isEqualTo(Conditions.TRUE);
      assertThat(condition.getReason()).isEqualTo(NodeConditions.REASON_INITIAL_NAMESPACE);
    }
  }

  @Test
  void theAgentSaysAtStartThatItRunsOutsideTheInitialNamespace(@TempDir Path work)
      throws Exception {
    String kubeconfig =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: none
          cluster:
            server: https://127.0.0.1:1
            insecure-skip-tls-verify: true
        contexts:
        - name: none
          context:
            cluster: none
            user: none
        current-context: none
        users:
        - name: none
          user:
            token: none
        """;
    try (NetworkNamespace namespace = NetworkNamespace.create("hostlog");
        AgentProcess agent = new AgentProcess(namespace, work)) {
      agent.startAgent(kubeconfig, "lonely", AgentProcess.DEFAULT_JVM_FLAGS);
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(agent.logText())
                      .contains(
                          "tcp_max_orphans does not exist here",
                          "outside the node's initial network namespace",
                          "hostNetwork: true"));
      assertThat(agent.alive()).isTrue();
    }
  }
}
