package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.PodDriftEntry;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.PodTeardownEntry.Listed;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.events.EventRecorder;
import io.tcpteardown.rules.PodFacts;
import io.tcpteardown.rules.PodRule;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.SimulatedPod.Driver;
import io.tcpteardown.testsupport.SimulatedPod.Qos;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Something in a pod's network namespace keeps writing tcp_fin_timeout back to 60 while the pod's
 * rules want 25: the agent fights it as it fights drift on the node, backing off per pod (each
 * check after the second that finds drift waits twice as long), reports the drift in the pod's
 * status entry and raises a DriftCorrected Event on the Pod for each write-back. The agent's writes
 * are counted by the other writer, which sees each of them.
 */
@KernelTest
class PodDriftFightKernelTest {
  private static final Path PROC = Path.of("/proc");
  private static final Path FIN = Path.of("/proc/sys/net/ipv4/tcp_fin_timeout");
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final Duration FIGHT = Duration.ofSeconds(6);

  @TempDir Path dir;
  private final List<AutoCloseable> resources = new ArrayList<>();

  private record Emitted(HasMetadata object, String type, String reason, String message) {}

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void aPodWhoseValueIsKeptWrittenBackIsBackedOffReportedAndEventedOnThePod() throws Exception {
    NetworkNamespace.requireNamespaces();
    StateFile stateFile = new StateFile(dir.resolve("state.json"));
    NamespaceThread thread = NamespaceThread.start(PROC);
    resources.add(thread);
    String uid = UUID.randomUUID().toString();
    PodFacts facts = new PodFacts(uid, "shop", "web-0", Map.of("app", "web"), Map.of(), Set.of());
    List<Emitted> events = new CopyOnWriteArrayList<>();
    PodTuningLoop loop =
        new PodTuningLoop(
            new PodTuner(thread, stateFile, PROC),
            stateFile,
            new NamespaceScanner(PROC),
            new PodTuningLoop.Pods() {
              @Override
              public Collection<PodFacts> pods() {
                return List.of(facts);
              }

              @Override
              public boolean synced() {
                return true;
              }
            },
            () ->
                Optional.of(
                    List.of(
                        new PodRule(
                            "web-teardown",
                            0,
                            null,
                            new NodeSelector(Map.of("app", "web"), null),
                            false,
                            new TeardownSettings(null, 25, null, null, null, null)))),
            INTERVAL,
            Duration.ofMillis(100),
            new CpuBudget(1.0, CpuBudget.DEFAULT_BURST, System::nanoTime),
            java.lang.management.ManagementFactory.getThreadMXBean()::getCurrentThreadCpuTime,
            (object, type, reason, message) ->
                events.add(new Emitted(object, type, reason, message)),
            Clock.systemUTC());
    resources.add(loop);
    NetworkNamespace namespace = NetworkNamespace.create("drift");
    resources.add(namespace);
    resources.add(
        SimulatedPod.start(
            namespace,
            "tcp-teardown-test-" + uid.substring(0, 8),
            uid,
            Driver.CGROUPFS,
            Qos.BURSTABLE));
    loop.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!fin(namespace).equals("25") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(fin(namespace)).isEqualTo("25");

    // The other writer: every 20 ms, 60 again; each 25 it finds is one write of the agent.
    AtomicInteger agentWrites = new AtomicInteger();
    AtomicBoolean fighting = new AtomicBoolean(true);
    Thread other =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (fighting.get()) {
                    namespace.call(
                        () -> {
                          if (read().equals("25")) {
                            agentWrites.incrementAndGet();
                          }
                          Files.writeString(FIN, "60");
                          return null;
                        });
                    try {
                      Thread.sleep(20);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    Thread.sleep(FIGHT.toMillis());
    fighting.set(false);
    other.join();

    // Without backoff a check every 200 ms writes back about 30 times in 6 s; with it, checks at
    // about 0.2, 0.4, 0.8, 1.6, 3.2 s (then the next waits 3.2 s): 5 or 6 at most.
    int writes = agentWrites.get();
    System.out.println(
        "FIGURE agent write-backs in a pod over a "
            + FIGHT.toSeconds()
            + " s drift fight (checks every "
            + INTERVAL.toMillis()
            + " ms): "
            + writes);
    assertThat(writes).isBetween(3, 7);

    PodRulesStatus report = PodRulesStatus.of(loop.latest().orElseThrow());
    PodDriftEntry drift = report.drift().get(uid);
    assertThat(drift).isNotNull();
    assertThat(drift.corrections()).isBetween((long) writes - 1, (long) writes + 1);
    assertThat(drift.corrected()).containsExactly("net.ipv4.tcp_fin_timeout");
    assertThat(drift.lastCorrectionTime()).isNotNull();
    assertThat(drift.backOffUntil()).isNotNull();
    // The pod is listed for its drift even when the sweep did not list it.
    assertThat(report.merge(List.of()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.uid()).isEqualTo(uid);
              assertThat(e.listed()).isEqualTo(Listed.Drift);
              assertThat(e.drift()).isEqualTo(drift);
            });
    PodTeardownEntry swept =
        new PodTeardownEntry("shop", "web-0", uid, null, null, null, 1L, null, Listed.Top);
    assertThat(report.merge(List.of(swept)).getFirst().drift()).isEqualTo(drift);

    // One DriftCorrected Event on the Pod per write-back (the recorder limits them per pod).
    assertThat(events).hasSize((int) (long) drift.corrections());
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.object().getKind()).isEqualTo("Pod");
              assertThat(e.object().getMetadata().getNamespace()).isEqualTo("shop");
              assertThat(e.object().getMetadata().getName()).isEqualTo("web-0");
              assertThat(e.object().getMetadata().getUid()).isEqualTo(uid);
              assertThat(e.type()).isEqualTo(EventRecorder.WARNING);
              assertThat(e.reason()).isEqualTo(NodeConditions.EVENT_DRIFT_CORRECTED);
              assertThat(e.message())
                  .isEqualTo(
                      "changed outside the operator: net.ipv4.tcp_fin_timeout was 60, written"
                          + " back to 25");
            });
  }

  /** On a thread inside the namespace: its own tcp_fin_timeout. */
  private static String read() throws java.io.IOException {
    try (var reader = Files.newBufferedReader(FIN)) {
      return reader.readLine().strip();
    }
  }

  private static String fin(NetworkNamespace namespace) {
    return namespace.call(() -> read());
  }
}
