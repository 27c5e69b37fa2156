package io.tcpteardown.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.PodTeardownEntry.Listed;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.operator.OperatorSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Times reading one agent report's watch event (a TcpTeardownNode whose status lists 20 pods, as
 * the simulated agents write it) the way the operator's client reads it ({@link
 * OperatorSerialization}: straight into the type, per-pod list and managed fields skipped) and the
 * way Fabric8's default serialization reads it (into a tree first, then bound), side by side, in
 * microseconds per event after warm-up. Prints figures; asserts only that both read a
 * TcpTeardownNode. Not part of {@code verify}; run it with {@code ./mvnw -B -o test
 * -Dtest=WatchEventParseBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class WatchEventParseBenchmark {
  private static final int EVENTS = Integer.getInteger("bench.events", 20_000);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 6);

  @Test
  void readAnAgentReport() {
    String event =
        "{\"type\":\"MODIFIED\",\"object\":" + new KubernetesSerialization().asJson(report()) + "}";
    KubernetesSerialization operator = OperatorSerialization.create();
    KubernetesSerialization fabric8 = new KubernetesSerialization();
    System.out.printf("FIGURE watch event of one agent report: %d bytes%n", event.length());
    for (int round = 1; round <= ROUNDS; round++) {
      double ours = microsPerEvent(operator, event);
      double theirs = microsPerEvent(fabric8, event);
      System.out.printf(
          "FIGURE round %d%s: operator's serialization %.1f us per event, Fabric8's default %.1f"
              + " us%n",
          round, round == 1 ? " (warm-up)" : "", ours, theirs);
    }
  }

  private static double microsPerEvent(KubernetesSerialization serialization, String event) {
    long start = System.nanoTime();
    for (int i = 0; i < EVENTS; i++) {
      WatchEvent read = serialization.unmarshal(event, WatchEvent.class);
      assertThat(read.getObject()).isInstanceOf(TcpTeardownNode.class);
    }
    return (System.nanoTime() - start) / 1000.0 / EVENTS;
  }

  private static TcpTeardownNode report() {
    TcpTeardownNode object = new TcpTeardownNode();
    object.setMetadata(
        new ObjectMetaBuilder()
            .withName("node-0042")
            .withUid("5f0c7a52-3c1e-4d8b-9a57-2f1f6a1f0042")
            .withResourceVersion("123456")
            .withGeneration(3L)
            .build());
    object.setSpec(
        TcpTeardownNodeSpec.of(
            TeardownSettings.NONE
                .with(ManagedSysctl.FIN_TIMEOUT, 30)
                .with(ManagedSysctl.MAX_TW_BUCKETS, 200_000),
            Map.of("finTimeoutSeconds", "base", "maxTwBuckets", "web"),
            List.of("base", "web"),
            List.of()));
    StateCounts node = new StateCounts(3, 40, 180_000, 12, 2, 0, 120);
    List<PodTeardownEntry> pods = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pods.add(
          new PodTeardownEntry(
              "team-" + (i % 7),
              "app-" + i + "-7f3a",
              String.format("%08x-0000-4000-8000-%012x", i, 42),
              new StateCounts(1, 12, 2_400, 7, 1, 0, 3),
              new KernelCounters(0, 0),
              262_144L,
              12L,
              null,
              Listed.Top));
    }
    object.setStatus(
        new TcpTeardownNodeStatus(
            3L,
            Map.of("net.ipv4.tcp_fin_timeout", "30", "net.ipv4.tcp_max_tw_buckets", "200000"),
            Map.of("net.ipv4.tcp_fin_timeout", "60", "net.ipv4.tcp_max_tw_buckets", "262144"),
            node,
            new KernelCounters(0, 0),
            0L,
            List.of(),
            new AgentInfo("tcp-teardown-agent-node-0042", "1.0.0", List.of(AgentInfo.POD_RULES)),
            "2026-11-27T03:00:00Z",
            "2026-11-27T03:00:00Z",
            null,
            node,
            pods,
            25,
            true,
            "2026-11-27T03:00:00Z",
            null,
            null,
            null,
            null));
    return object;
  }
}
