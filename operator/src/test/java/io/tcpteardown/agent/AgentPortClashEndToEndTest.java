package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.AgentProcess;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.EndToEndTest;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metrics port already taken on the node stops the agent before it changes anything: with a
 * TcpTeardownNode that asks for a value and an API server it can reach, the agent exits non-zero,
 * the kernel value and the state file stay untouched.
 */
@EndToEndTest
class AgentPortClashEndToEndTest {
  private static final int PORT = 9107;

  @TempDir Path work;

  @Test
  void aTakenMetricsPortEndsTheAgentBeforeItWritesAnything() throws Exception {
    try (NetworkNamespace namespace = NetworkNamespace.create("clash");
        KubernetesClient client = TestCluster.client();
        ClusterFixtures fixtures = new ClusterFixtures(client);
        AgentProcess relay = new AgentProcess(namespace, work)) {
      Path log = work.resolve("agent.log");
      String node = fixtures.name("clash");
      TcpTeardownNode object = new TcpTeardownNode();
      object.setMetadata(new ObjectMetaBuilder().withName(node).build());
      object.setSpec(
          TcpTeardownNodeSpec.of(
              TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 25),
              Map.of("finTimeoutSeconds", "test"),
              List.of("test"),
              List.of()));
      client.resource(object).create();
      ServerSocket taken = namespace.call(() -> new ServerSocket(PORT));
      try {
        String kubeconfig = TestCluster.kubeconfig();
        relay.startRelay(kubeconfig);
        Path kubeconfigFile = work.resolve("kubeconfig");
        Files.writeString(kubeconfigFile, kubeconfig);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(AgentProcess.DEFAULT_JVM_FLAGS);
        command.addAll(
            List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "io.tcpteardown.cli.TcpTeardownCommand",
                "agent",
                "--node-name",
                node,
                "--state-file",
                work.resolve("state/state.json").toString(),
                "--metrics-port",
                String.valueOf(PORT),
                "--drift-check-interval",
                "1s"));
        ProcessBuilder builder =
            namespace
                .processBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("KUBECONFIG", kubeconfigFile.toString());
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
          throw new AssertionError("the agent kept running; log:\n" + Files.readString(log));
        }
        assertThat(process.exitValue()).as(Files.readString(log)).isNotZero();
        assertThat(Files.readString(log)).contains("--metrics-port " + PORT, "Nothing was changed");
        // Give a late writer every chance to show itself.
        Thread.sleep(1500);
        assertThat(namespace.sysctl("net.ipv4.tcp_fin_timeout")).isEqualTo("60");
        assertThat(Files.exists(work.resolve("state/state.json"))).isFalse();
        assertThat(client.resources(TcpTeardownNode.class).withName(node).get().getStatus())
            .isNull();
      } finally {
        namespace.call(
            () -> {
              taken.close();
              return null;
            });
        client.resources(TcpTeardownNode.class).withName(node).delete();
      }
    }
  }
}
