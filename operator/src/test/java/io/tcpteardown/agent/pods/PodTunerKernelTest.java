package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.SimulatedPod.Driver;
import io.tcpteardown.testsupport.SimulatedPod.Qos;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pod rules written into simulated pods' network namespaces on the real kernel, through setns on
 * the dedicated thread, with originals keyed by pod UID in the state file.
 */
@KernelTest
class PodTunerKernelTest {
  private static final String FIN = "net.ipv4.tcp_fin_timeout";
  private static final String BUCKETS = "net.ipv4.tcp_max_tw_buckets";
  private static final TeardownSettings FIN_25_BUCKETS =
      new TeardownSettings(null, 25, null, 50000, null, null);
  private static final Path PROC = Path.of("/proc");

  @TempDir Path dir;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private StateFile stateFile;
  private NamespaceThread thread;
  private String hostFin;

  @BeforeEach
  void setUp() throws Exception {
    NetworkNamespace.requireNamespaces();
    stateFile = new StateFile(dir.resolve("state.json"));
    thread = NamespaceThread.start(PROC);
    hostFin = Files.readString(PROC.resolve("sys/net/ipv4/tcp_fin_timeout")).strip();
  }

  @AfterEach
  void cleanUp() throws Exception {
    thread.close();
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    // The node's own namespace is never written.
    assertThat(Files.readString(PROC.resolve("sys/net/ipv4/tcp_fin_timeout")).strip())
        .isEqualTo(hostFin);
  }

  private record Simulated(NetworkNamespace namespace, SimulatedPod pod) {}

  private Simulated pod() throws Exception {
    NetworkNamespace namespace = NetworkNamespace.create("tune");
    resources.add(namespace);
    SimulatedPod pod =
        SimulatedPod.start(
            namespace,
            "tcp-teardown-test-" + UUID.randomUUID().toString().substring(0, 8),
            UUID.randomUUID().toString(),
            Driver.CGROUPFS,
            Qos.BURSTABLE);
    resources.add(pod);
    return new Simulated(namespace, pod);
  }

  private static NetworkNamespaceRef ref(SimulatedPod pod) throws Exception {
    NamespaceScanner scanner = new NamespaceScanner(PROC);
    return scanner.scan(scanner.ownNamespace().orElseThrow()).stream()
        .filter(n -> n.pod().map(p -> p.podUid().equals(pod.uid())).orElse(false))
        .findFirst()
        .orElseThrow();
  }

  private static PodTuner.Target target(Simulated s, TeardownSettings apply) throws Exception {
    return new PodTuner.Target(s.pod().uid(), ref(s.pod()), apply, TeardownSettings.NONE);
  }

  private PodTuner tuner() {
    return new PodTuner(thread, stateFile, PROC);
  }

  /**
   * The sweep keeps a namespace's sysctls between sweeps ({@link NamespaceFacts}): a value the
   * tuner writes is in the very next sweep, one the pod changes itself once the facts are read
   * again, and the facts of a pod whose tuner found nothing to write are not read again.
   */
  @Test
  void theNextSweepSeesWhatTheTunerWroteAndAPodsOwnChangeAfterTheRefresh() throws Exception {
    Simulated s = pod();
    NamespaceFacts facts = NamespaceFacts.keptFiveMinutes();
    PodTuner tuner = new PodTuner(thread, stateFile, PROC, facts::forget);
    try (NamespaceCounter sweeper =
        new NamespaceCounter(PROC, java.time.Clock.systemUTC(), facts)) {
      long before = Long.parseLong(s.namespace().sysctl(BUCKETS));
      assertThat(buckets(sweeper, s)).isEqualTo(before);

      tuner.pass(List.of(target(s, FIN_25_BUCKETS)));
      assertThat(buckets(sweeper, s)).isEqualTo(50000);

      // Nothing to write: the facts stay kept.
      assertThat(tuner.pass(List.of(target(s, FIN_25_BUCKETS))).getFirst().wrote()).isFalse();
      s.namespace().setSysctl(BUCKETS, "40000");
      assertThat(buckets(sweeper, s)).isEqualTo(50000);
      facts.forget(ref(s.pod()).inode());
      assertThat(buckets(sweeper, s)).isEqualTo(40000);

      // A drift the tuner corrects is written, so seen at once.
      s.namespace().setSysctl(BUCKETS, "30000");
      assertThat(tuner.pass(List.of(target(s, FIN_25_BUCKETS))).getFirst().wrote()).isTrue();
      assertThat(buckets(sweeper, s)).isEqualTo(50000);
    }
  }

  private static long buckets(NamespaceCounter sweeper, Simulated s) throws Exception {
    return sweeper.sweep().stream()
        .filter(c -> c.namespace().pod().map(p -> p.podUid().equals(s.pod().uid())).orElse(false))
        .findFirst()
        .orElseThrow()
        .maxTwBuckets()
        .orElseThrow();
  }

  @Test
  void rulesReachOnlyTheTargetedPodsAndOriginalsAreRecordedByUid() throws Exception {
    Simulated selected = pod();
    Simulated other = pod();
    String originalFin = selected.namespace().sysctl(FIN);
    String originalBuckets = selected.namespace().sysctl(BUCKETS);

    List<PodTuning> results =
        tuner()
            .pass(List.of(target(selected, FIN_25_BUCKETS), target(other, TeardownSettings.NONE)));

    assertThat(selected.namespace().sysctl(FIN)).isEqualTo("25");
    assertThat(selected.namespace().sysctl(BUCKETS)).isEqualTo("50000");
    assertThat(other.namespace().sysctl(FIN)).isEqualTo(originalFin);
    assertThat(results).hasSize(1);
    PodTuning tuning = results.getFirst();
    assertThat(tuning.podUid()).isEqualTo(selected.pod().uid());
    assertThat(tuning.failed()).isFalse();
    assertThat(tuning.applied())
        .isEqualTo(Map.of(ManagedSysctl.FIN_TIMEOUT, 25L, ManagedSysctl.MAX_TW_BUCKETS, 50000L));
    assertThat(tuning.result().changed())
        .containsExactlyInAnyOrder(ManagedSysctl.FIN_TIMEOUT, ManagedSysctl.MAX_TW_BUCKETS);
    assertThat(stateFile.loadPod(selected.pod().uid()).orElseThrow().originals())
        .isEqualTo(
            Map.of(
                ManagedSysctl.FIN_TIMEOUT,
                Long.parseLong(originalFin),
                ManagedSysctl.MAX_TW_BUCKETS,
                Long.parseLong(originalBuckets)));
    assertThat(stateFile.podUids()).containsExactly(selected.pod().uid());
  }

  @Test
  void aFieldThatLeavesThePodsRulesIsRestoredAlsoByARestartedAgent() throws Exception {
    Simulated s = pod();
    String originalFin = s.namespace().sysctl(FIN);
    String originalBuckets = s.namespace().sysctl(BUCKETS);
    tuner().pass(List.of(target(s, FIN_25_BUCKETS)));
    assertThat(s.namespace().sysctl(FIN)).isEqualTo("25");

    // A new agent (new thread, same state file): finTimeoutSeconds left the pod's rules.
    thread.close();
    thread = NamespaceThread.start(PROC);
    List<PodTuning> results =
        tuner().pass(List.of(target(s, new TeardownSettings(null, null, null, 50000, null, null))));
    assertThat(results.getFirst().result().restored()).containsExactly(ManagedSysctl.FIN_TIMEOUT);
    assertThat(s.namespace().sysctl(FIN)).isEqualTo(originalFin);
    assertThat(s.namespace().sysctl(BUCKETS)).isEqualTo("50000");

    // Then every field leaves (profile deleted, labels changed): the entry goes away.
    results = tuner().pass(List.of(target(s, TeardownSettings.NONE)));
    assertThat(results.getFirst().result().restored())
        .containsExactly(ManagedSysctl.MAX_TW_BUCKETS);
    assertThat(s.namespace().sysctl(BUCKETS)).isEqualTo(originalBuckets);
    assertThat(stateFile.podUids()).isEmpty();
    assertThat(tuner().pass(List.of(target(s, TeardownSettings.NONE)))).isEmpty();
  }

  @Test
  void driftInAPodIsWrittenBack() throws Exception {
    Simulated s = pod();
    tuner().pass(List.of(target(s, FIN_25_BUCKETS)));
    s.namespace().setSysctl(FIN, "41");
    PodTuning tuning = tuner().pass(List.of(target(s, FIN_25_BUCKETS))).getFirst();
    assertThat(tuning.result().changed()).containsExactly(ManagedSysctl.FIN_TIMEOUT);
    assertThat(s.namespace().sysctl(FIN)).isEqualTo("25");
  }

  @Test
  void reportOnlyWritesNothingAndSaysWhatWouldChange() throws Exception {
    Simulated s = pod();
    String originalFin = s.namespace().sysctl(FIN);
    PodTuning tuning =
        tuner()
            .pass(
                List.of(
                    new PodTuner.Target(
                        s.pod().uid(), ref(s.pod()), TeardownSettings.NONE, FIN_25_BUCKETS)))
            .getFirst();
    assertThat(s.namespace().sysctl(FIN)).isEqualTo(originalFin);
    assertThat(tuning.wouldChange())
        .containsEntry(
            ManagedSysctl.FIN_TIMEOUT, new PodTuning.Change(Long.parseLong(originalFin), 25));
    assertThat(tuning.result().changed()).isEmpty();
    assertThat(stateFile.exists()).isFalse();
  }

  @Test
  void switchingToReportOnlyRestoresTheFieldAndReportsWhatWouldChange() throws Exception {
    Simulated s = pod();
    String originalFin = s.namespace().sysctl(FIN);
    tuner().pass(List.of(target(s, FIN_25_BUCKETS)));
    assertThat(s.namespace().sysctl(FIN)).isEqualTo("25");
    PodTuning tuning =
        tuner()
            .pass(
                List.of(
                    new PodTuner.Target(
                        s.pod().uid(),
                        ref(s.pod()),
                        new TeardownSettings(null, null, null, 50000, null, null),
                        new TeardownSettings(null, 25, null, null, null, null))))
            .getFirst();
    assertThat(tuning.result().restored()).containsExactly(ManagedSysctl.FIN_TIMEOUT);
    assertThat(s.namespace().sysctl(FIN)).isEqualTo(originalFin);
    assertThat(tuning.wouldChange())
        .containsEntry(
            ManagedSysctl.FIN_TIMEOUT, new PodTuning.Change(Long.parseLong(originalFin), 25));
  }

  @Test
  void anOriginalThatCannotBeRecordedStopsEveryWriteInThePod() throws Exception {
    Simulated s = pod();
    String originalFin = s.namespace().sysctl(FIN);
    // Absent, so readable as empty, but no file can be created there.
    StateFile blocked = new StateFile(PROC.resolve("self/tcp-teardown-state.json"));
    PodTuning tuning =
        new PodTuner(thread, blocked, PROC).pass(List.of(target(s, FIN_25_BUCKETS))).getFirst();
    assertThat(tuning.failed()).isTrue();
    assertThat(tuning.problem()).get().asString().contains("cannot save the state file");
    assertThat(s.namespace().sysctl(FIN)).isEqualTo(originalFin);
  }

  @Test
  void settingsTheSafetyRulesRefuseWriteNothingInThePod() throws Exception {
    Simulated s = pod();
    String originalReuse = s.namespace().sysctl("net.ipv4.tcp_tw_reuse");
    // Reuse needs timestamps: a tampered spec that asks for both otherwise.
    TeardownSettings unsafe =
        new TeardownSettings(null, 25, null, null, TwReuse.Enabled, Timestamps.Disabled);
    PodTuning tuning = tuner().pass(List.of(target(s, unsafe))).getFirst();
    assertThat(tuning.problem()).get().asString().contains("twReuse");
    assertThat(s.namespace().sysctl("net.ipv4.tcp_tw_reuse")).isEqualTo(originalReuse);
    assertThat(s.namespace().sysctl(FIN)).isNotEqualTo("25");
  }

  @Test
  void aPodGoneMidApplyIsSkippedAndItsEntryDroppedWithNothingRestored() throws Exception {
    Simulated s = pod();
    Simulated stays = pod();
    tuner().pass(List.of(target(s, FIN_25_BUCKETS), target(stays, FIN_25_BUCKETS)));
    PodTuner.Target stale = target(s, FIN_25_BUCKETS);
    s.pod().kill();

    assertThat(tuner().pass(List.of(stale))).isEmpty();
    assertThat(tuner().forgetPodsOtherThan(Set.of(stays.pod().uid())))
        .containsExactly(s.pod().uid());
    assertThat(stateFile.podUids()).containsExactly(stays.pod().uid());
  }
}
