package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The applier against the real kernel, inside a fresh network namespace (which starts from kernel
 * defaults).
 */
@KernelTest
class SysctlApplierKernelTest {
  private static final String FIN = "net.ipv4.tcp_fin_timeout";
  private static final String RETRIES = "net.ipv4.tcp_orphan_retries";
  private static final String BUCKETS = "net.ipv4.tcp_max_tw_buckets";
  private static final String REUSE = "net.ipv4.tcp_tw_reuse";
  private static final String TIMESTAMPS = "net.ipv4.tcp_timestamps";

  private static final TeardownSettings FIVE =
      new TeardownSettings(3, 20, null, 50_000, TwReuse.Enabled, Timestamps.EnabledWithoutOffsets);

  @TempDir Path dir;

  private NetworkNamespace namespace;
  private Path statePath;
  private Map<String, String> defaults;

  @BeforeEach
  void namespace() throws Exception {
    namespace = NetworkNamespace.create("sysctl");
    statePath = dir.resolve("state/state.json");
    defaults =
        Map.of(
            FIN,
            namespace.sysctl(FIN),
            RETRIES,
            namespace.sysctl(RETRIES),
            BUCKETS,
            namespace.sysctl(BUCKETS),
            REUSE,
            namespace.sysctl(REUSE),
            TIMESTAMPS,
            namespace.sysctl(TIMESTAMPS));
  }

  @AfterEach
  void close() {
    namespace.close();
  }

  private SysctlApplier applier() {
    return new SysctlApplier(new SysctlFiles(namespace.procRoot()), new StateFile(statePath));
  }

  private ApplyResult apply(TeardownSettings settings, Map<String, String> mirror) {
    return namespace.call(() -> applier().apply(settings, mirror));
  }

  @Test
  void appliesReadsBackRecordsOriginalsFirstAndRestoresThem() throws Exception {
    ApplyResult result = apply(FIVE, Map.of());
    assertThat(result.errors()).isEmpty();
    assertThat(result.rejected()).isEmpty();
    assertThat(result.applied())
        .containsOnly(
            Map.entry(ManagedSysctl.ORPHAN_RETRIES, 3L),
            Map.entry(ManagedSysctl.FIN_TIMEOUT, 20L),
            Map.entry(ManagedSysctl.MAX_TW_BUCKETS, 50_000L),
            Map.entry(ManagedSysctl.TW_REUSE, 1L),
            Map.entry(ManagedSysctl.TIMESTAMPS, 2L));
    assertThat(namespace.sysctl(FIN)).isEqualTo("20");
    assertThat(namespace.sysctl(RETRIES)).isEqualTo("3");
    assertThat(namespace.sysctl(BUCKETS)).isEqualTo("50000");
    assertThat(namespace.sysctl(REUSE)).isEqualTo("1");
    assertThat(namespace.sysctl(TIMESTAMPS)).isEqualTo("2");
    assertThat(result.originals().get(ManagedSysctl.FIN_TIMEOUT))
        .isEqualTo(Long.parseLong(defaults.get(FIN)));
    assertThat(new StateFile(statePath).load().originals()).isEqualTo(result.originals());
    assertThat(new StateFile(statePath).load().bootId()).isNotBlank();

    // The same settings again change nothing.
    assertThat(apply(FIVE, Map.of()).changed()).isEmpty();

    // finTimeoutSeconds leaves the settings: only it goes back, and leaves the state file.
    ApplyResult fewer = apply(FIVE.with(ManagedSysctl.FIN_TIMEOUT, null), Map.of());
    assertThat(fewer.restored()).containsExactly(ManagedSysctl.FIN_TIMEOUT);
    assertThat(namespace.sysctl(FIN)).isEqualTo(defaults.get(FIN));
    assertThat(namespace.sysctl(RETRIES)).isEqualTo("3");
    assertThat(new StateFile(statePath).load().originals())
        .doesNotContainKey(ManagedSysctl.FIN_TIMEOUT)
        .containsKey(ManagedSysctl.ORPHAN_RETRIES);

    // Nothing selected any more: every original is back and the state file holds none.
    ApplyResult none = apply(TeardownSettings.NONE, Map.of());
    assertThat(none.restored())
        .containsExactlyInAnyOrder(
            ManagedSysctl.ORPHAN_RETRIES,
            ManagedSysctl.MAX_TW_BUCKETS,
            ManagedSysctl.TW_REUSE,
            ManagedSysctl.TIMESTAMPS);
    for (var entry : defaults.entrySet()) {
      assertThat(namespace.sysctl(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
    }
    assertThat(new StateFile(statePath).load().originals()).isEmpty();
  }

  @Test
  void driftIsWrittenBackAndReported() throws Exception {
    apply(FIVE, Map.of());
    namespace.setSysctl(FIN, "45");
    DriftResult drift = namespace.call(() -> applier().correctDrift(FIVE));
    assertThat(drift.corrected())
        .containsExactly(new DriftCorrection(ManagedSysctl.FIN_TIMEOUT, 20, 45));
    assertThat(drift.errors()).isEmpty();
    assertThat(namespace.sysctl(FIN)).isEqualTo("20");
    assertThat(namespace.call(() -> applier().correctDrift(FIVE)).corrected()).isEmpty();
    // The original recorded before the first change is kept, not the drifted value.
    assertThat(new StateFile(statePath).load().originals().get(ManagedSysctl.FIN_TIMEOUT))
        .isEqualTo(Long.parseLong(defaults.get(FIN)));
  }

  @Test
  void aNodeWideSysctlMissingInThisNamespaceIsReportedAndTheRestStillApplies() throws Exception {
    ApplyResult result = apply(FIVE.with(ManagedSysctl.MAX_ORPHANS, 16_384), Map.of());
    assertThat(result.errors()).containsOnlyKeys(ManagedSysctl.MAX_ORPHANS);
    FieldError error = result.errors().get(ManagedSysctl.MAX_ORPHANS);
    assertThat(error.reason()).isEqualTo(FieldError.Reason.MISSING);
    assertThat(error.message())
        .contains("net.ipv4.tcp_max_orphans does not exist", "node-wide", "hostNetwork");
    assertThat(result.applied()).hasSize(5);
    assertThat(result.originals()).doesNotContainKey(ManagedSysctl.MAX_ORPHANS);
    assertThat(namespace.sysctl(FIN)).isEqualTo("20");
  }

  /**
   * Two ways the kernel may not take a value, provoked on real kernel files through a proc root
   * (the agent's {@code --proc-root}) whose allowlisted names lead elsewhere: tcp_orphan_retries to
   * a read-only sysctl (the kernel refuses even root, as it does on a read-only /proc/sys),
   * tcp_fin_timeout to this namespace's icmp_ratelimit, which the kernel keeps in clock ticks, so
   * that 31 (ms) reads back rounded to a whole tick.
   */
  @Test
  void aValueTheKernelRefusesOrDoesNotKeepIsAnErrorOfThatFieldAndTheRestStillApplies()
      throws Exception {
    String ratelimit = "net.ipv4.icmp_ratelimit";
    String ratelimitOriginal = namespace.sysctl(ratelimit);
    namespace.setSysctl(ratelimit, "31");
    Assumptions.assumeFalse(
        namespace.sysctl(ratelimit).equals("31"),
        "this kernel ticks every millisecond (HZ=1000), so icmp_ratelimit keeps 31 exactly");
    namespace.setSysctl(ratelimit, ratelimitOriginal);

    Path procRoot = dir.resolve("procroot");
    Path ipv4 = Files.createDirectories(procRoot.resolve("sys/net/ipv4"));
    Files.createSymbolicLink(procRoot.resolve("sys/kernel"), Path.of("/proc/sys/kernel"));
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      Path target =
          switch (sysctl) {
            case ORPHAN_RETRIES -> Path.of("/proc/sys/kernel/ngroups_max");
            case FIN_TIMEOUT -> Path.of("/proc/sys/net/ipv4/icmp_ratelimit");
            default -> Path.of("/proc/sys/net/ipv4", sysctl.fileName());
          };
      Files.createSymbolicLink(ipv4.resolve(sysctl.fileName()), target);
    }
    SysctlApplier applier = new SysctlApplier(new SysctlFiles(procRoot), new StateFile(statePath));

    ApplyResult result =
        namespace.call(() -> applier.apply(FIVE.with(ManagedSysctl.FIN_TIMEOUT, 31), Map.of()));

    assertThat(result.errors())
        .containsOnlyKeys(ManagedSysctl.ORPHAN_RETRIES, ManagedSysctl.FIN_TIMEOUT);
    FieldError refused = result.errors().get(ManagedSysctl.ORPHAN_RETRIES);
    assertThat(refused.reason()).isEqualTo(FieldError.Reason.NOT_WRITABLE);
    assertThat(refused.message())
        .contains(
            "net.ipv4.tcp_orphan_retries is not writable here (writing 3", "privileged: true");
    FieldError notKept = result.errors().get(ManagedSysctl.FIN_TIMEOUT);
    assertThat(notKept.reason()).isEqualTo(FieldError.Reason.READ_BACK_MISMATCH);
    assertThat(notKept.message())
        .contains(
            "net.ipv4.tcp_fin_timeout was written as 31 but reads back as ",
            "the kernel did not keep the value");
    assertThat(result.applied())
        .containsOnlyKeys(
            ManagedSysctl.MAX_TW_BUCKETS, ManagedSysctl.TW_REUSE, ManagedSysctl.TIMESTAMPS);
    assertThat(namespace.sysctl(BUCKETS)).isEqualTo("50000");
    assertThat(namespace.sysctl(REUSE)).isEqualTo("1");

    // When the fields leave, the one the kernel changed goes back to its original like any other.
    ApplyResult none = namespace.call(() -> applier.apply(TeardownSettings.NONE, Map.of()));
    assertThat(none.errors()).isEmpty();
    assertThat(namespace.sysctl(ratelimit)).isEqualTo(ratelimitOriginal);
    assertThat(namespace.sysctl(BUCKETS)).isEqualTo(defaults.get(BUCKETS));
    assertThat(new StateFile(statePath).load().originals()).isEmpty();
  }

  @Test
  void tamperedSettingsAreRefusedWithoutAnyWrite() throws Exception {
    TeardownSettings outOfRange =
        TeardownSettings.NONE
            .with(ManagedSysctl.FIN_TIMEOUT, 999)
            .with(ManagedSysctl.ORPHAN_RETRIES, 2);
    ApplyResult result = apply(outOfRange, Map.of());
    assertThat(result.rejected())
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("spec.finTimeoutSeconds", "999"));
    assertThat(result.applied()).isEmpty();
    assertThat(namespace.sysctl(FIN)).isEqualTo(defaults.get(FIN));
    assertThat(namespace.sysctl(RETRIES)).isEqualTo(defaults.get(RETRIES));

    TeardownSettings reuseWithoutTimestamps =
        new TeardownSettings(null, 30, null, null, TwReuse.Enabled, Timestamps.Disabled);
    assertThat(apply(reuseWithoutTimestamps, Map.of()).rejected()).isNotEmpty();
    assertThat(namespace.sysctl(FIN)).isEqualTo(defaults.get(FIN));
    assertThat(namespace.sysctl(TIMESTAMPS)).isEqualTo(defaults.get(TIMESTAMPS));
    assertThat(Files.exists(statePath)).isFalse();
  }

  @Test
  void aCorruptStateFileStopsAllWritesAndIsLeftAsItIs() throws Exception {
    Files.createDirectories(statePath.getParent());
    Files.writeString(statePath, "garbage");
    ApplyResult result = apply(FIVE, Map.of());
    assertThat(result.stateFileProblem())
        .hasValueSatisfying(m -> assertThat(m).contains(statePath.toString(), "move it aside"));
    assertThat(result.applied()).isEmpty();
    assertThat(namespace.sysctl(FIN)).isEqualTo(defaults.get(FIN));
    assertThat(Files.readString(statePath)).isEqualTo("garbage");
  }

  @Test
  void aLostStateFileIsRebuiltFromTheStatusMirrorAndAnExistingFileWinsOverTheMirror()
      throws Exception {
    // The kernel already holds 20 (set by an earlier run whose state file was lost); the status
    // remembers 60.
    namespace.setSysctl(FIN, "20");
    ApplyResult adopted =
        apply(TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 20), Map.of(FIN, "60"));
    assertThat(adopted.originals()).containsEntry(ManagedSysctl.FIN_TIMEOUT, 60L);
    assertThat(new StateFile(statePath).load().originals())
        .containsEntry(ManagedSysctl.FIN_TIMEOUT, 60L);

    ApplyResult fileWins =
        apply(TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 20), Map.of(FIN, "33"));
    assertThat(fileWins.originals()).containsEntry(ManagedSysctl.FIN_TIMEOUT, 60L);
    apply(TeardownSettings.NONE, Map.of(FIN, "33"));
    assertThat(namespace.sysctl(FIN)).isEqualTo("60");
  }

  @Test
  void afterARebootTheValuesAreReappliedAsSuchNotAsDrift() throws Exception {
    apply(FIVE, Map.of());
    NodeState saved = new StateFile(statePath).load();
    // A reboot: the kernel is back at its defaults and the boot id differs from the one in the
    // state file.
    new StateFile(statePath).save(saved.withBootId("an-earlier-boot"));
    for (var entry : defaults.entrySet()) {
      namespace.setSysctl(entry.getKey(), entry.getValue());
    }
    ApplyResult result = apply(FIVE, Map.of());
    assertThat(result.reappliedAfterReboot()).isTrue();
    assertThat(result.originals()).isEqualTo(saved.originals());
    assertThat(namespace.sysctl(FIN)).isEqualTo("20");
    assertThat(new StateFile(statePath).load().bootId()).isEqualTo(saved.bootId());
    assertThat(apply(FIVE, Map.of()).reappliedAfterReboot()).isFalse();
  }
}
