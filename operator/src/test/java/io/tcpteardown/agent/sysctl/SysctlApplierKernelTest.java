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
        .hasValueSatisfying(
            m -> assertThat(m).contains(statePath.toString(), "state-file rebuild"));
    assertThat(result.applied()).isEmpty();
    assertThat(namespace.sysctl(FIN)).isEqualTo(defaults.get(FIN));
    assertThat(Files.readString(statePath)).isEqualTo("garbage");
  }

  /**
   * While the state file cannot be read, the originals the agent publishes are the ones it last
   * published, not nothing; so that moving the file aside (or rebuilding it) brings them back
   * instead of recording the profile's values as originals.
   */
  @Test
  void whileTheStateFileIsCorruptTheLastPublishedOriginalsAreKeptAndThenAdopted() throws Exception {
    apply(FIVE, Map.of());
    Map<String, String> published =
        Map.of(
            FIN, defaults.get(FIN),
            RETRIES, defaults.get(RETRIES),
            BUCKETS, defaults.get(BUCKETS),
            REUSE, defaults.get(REUSE),
            TIMESTAMPS, defaults.get(TIMESTAMPS));
    Files.writeString(statePath, "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_fin_timeout\"");

    ApplyResult corrupt = apply(FIVE, published);
    assertThat(corrupt.stateFileProblem()).isPresent();
    assertThat(corrupt.originals())
        .containsOnly(
            Map.entry(ManagedSysctl.FIN_TIMEOUT, Long.parseLong(defaults.get(FIN))),
            Map.entry(ManagedSysctl.ORPHAN_RETRIES, Long.parseLong(defaults.get(RETRIES))),
            Map.entry(ManagedSysctl.MAX_TW_BUCKETS, Long.parseLong(defaults.get(BUCKETS))),
            Map.entry(ManagedSysctl.TW_REUSE, Long.parseLong(defaults.get(REUSE))),
            Map.entry(ManagedSysctl.TIMESTAMPS, Long.parseLong(defaults.get(TIMESTAMPS))));
    // Nothing was written meanwhile, not even by a drift check.
    namespace.setSysctl(FIN, "45");
    DriftResult drift = namespace.call(() -> applier().correctDrift(FIVE));
    assertThat(drift.corrected()).isEmpty();
    assertThat(drift.errors()).containsKey(ManagedSysctl.FIN_TIMEOUT);
    assertThat(namespace.sysctl(FIN)).isEqualTo("45");

    // The remedy: the file moved aside, the next apply adopts what the status kept, and deleting
    // the profile brings back the node's own values, not the profile's.
    Files.move(statePath, statePath.resolveSibling("state.json.corrupt"));
    ApplyResult adopted = apply(FIVE, keyed(corrupt.originals()));
    assertThat(adopted.originals()).isEqualTo(corrupt.originals());
    apply(TeardownSettings.NONE, keyed(adopted.originals()));
    for (var entry : defaults.entrySet()) {
      assertThat(namespace.sysctl(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
    }
  }

  private static Map<String, String> keyed(Map<ManagedSysctl, Long> originals) {
    Map<String, String> keyed = new java.util.HashMap<>();
    originals.forEach((sysctl, value) -> keyed.put(sysctl.key(), Long.toString(value)));
    return keyed;
  }

  /**
   * A proc root (the agent's {@code --proc-root}) whose allowlisted names lead to this namespace's
   * real files, so that a test can make one of them unreadable by pointing it nowhere.
   */
  private Path linkedProcRoot() throws Exception {
    Path procRoot = dir.resolve("linked");
    Path ipv4 = Files.createDirectories(procRoot.resolve("sys/net/ipv4"));
    Files.createSymbolicLink(procRoot.resolve("sys/kernel"), Path.of("/proc/sys/kernel"));
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      Files.createSymbolicLink(
          ipv4.resolve(sysctl.fileName()), Path.of("/proc/sys/net/ipv4", sysctl.fileName()));
    }
    return procRoot;
  }

  private static void relink(Path procRoot, ManagedSysctl sysctl, Path target) throws Exception {
    Path link = procRoot.resolve("sys/net/ipv4").resolve(sysctl.fileName());
    Files.delete(link);
    Files.createSymbolicLink(link, target);
  }

  @Test
  void aSysctlThatCannotBeReadWhenItsFieldLeavesKeepsItsOriginalUntilItIsRestored()
      throws Exception {
    Path procRoot = linkedProcRoot();
    SysctlApplier applier = new SysctlApplier(new SysctlFiles(procRoot), new StateFile(statePath));
    namespace.call(() -> applier.apply(FIVE, Map.of()));
    assertThat(namespace.sysctl(FIN)).isEqualTo("20");

    // tcp_fin_timeout cannot be read (gone), tcp_orphan_retries cannot be read (not a number).
    relink(procRoot, ManagedSysctl.FIN_TIMEOUT, dir.resolve("nowhere"));
    relink(procRoot, ManagedSysctl.ORPHAN_RETRIES, Path.of("/proc/sys/kernel/ostype"));
    ApplyResult result = namespace.call(() -> applier.apply(TeardownSettings.NONE, Map.of()));

    assertThat(result.errors())
        .containsOnlyKeys(ManagedSysctl.FIN_TIMEOUT, ManagedSysctl.ORPHAN_RETRIES);
    assertThat(result.errors().get(ManagedSysctl.FIN_TIMEOUT).message())
        .contains(
            "net.ipv4.tcp_fin_timeout left the spec but was not restored to its original "
                + defaults.get(FIN),
            "the original stays in the state file");
    assertThat(result.errors().get(ManagedSysctl.ORPHAN_RETRIES).message())
        .contains("not restored to its original " + defaults.get(RETRIES), "cannot read it");
    assertThat(result.restored())
        .containsExactlyInAnyOrder(
            ManagedSysctl.MAX_TW_BUCKETS, ManagedSysctl.TW_REUSE, ManagedSysctl.TIMESTAMPS);
    assertThat(new StateFile(statePath).load().originals())
        .containsOnly(
            Map.entry(ManagedSysctl.FIN_TIMEOUT, Long.parseLong(defaults.get(FIN))),
            Map.entry(ManagedSysctl.ORPHAN_RETRIES, Long.parseLong(defaults.get(RETRIES))));
    assertThat(result.originals()).isEqualTo(new StateFile(statePath).load().originals());

    // Readable again: now they go back, and only then leave the state file.
    relink(procRoot, ManagedSysctl.FIN_TIMEOUT, Path.of("/proc/sys/net/ipv4/tcp_fin_timeout"));
    relink(
        procRoot, ManagedSysctl.ORPHAN_RETRIES, Path.of("/proc/sys/net/ipv4/tcp_orphan_retries"));
    ApplyResult later = namespace.call(() -> applier.apply(TeardownSettings.NONE, Map.of()));
    assertThat(later.errors()).isEmpty();
    assertThat(later.restored())
        .containsExactlyInAnyOrder(ManagedSysctl.FIN_TIMEOUT, ManagedSysctl.ORPHAN_RETRIES);
    for (var entry : defaults.entrySet()) {
      assertThat(namespace.sysctl(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
    }
    assertThat(new StateFile(statePath).load().originals()).isEmpty();
  }

  @Test
  void driftCorrectionWritesOnlyFieldsWhoseOriginalIsRecorded() throws Exception {
    apply(FIVE, Map.of());
    NamespaceState saved = new StateFile(statePath).load();
    new StateFile(statePath).save(saved.withoutOriginal(ManagedSysctl.FIN_TIMEOUT));
    namespace.setSysctl(FIN, "45");
    namespace.setSysctl(REUSE, "0");

    DriftResult drift = namespace.call(() -> applier().correctDrift(FIVE));

    assertThat(drift.corrected())
        .containsExactly(new DriftCorrection(ManagedSysctl.TW_REUSE, 1, 0));
    assertThat(drift.errors()).containsOnlyKeys(ManagedSysctl.FIN_TIMEOUT);
    assertThat(drift.errors().get(ManagedSysctl.FIN_TIMEOUT).message())
        .contains("net.ipv4.tcp_fin_timeout has no recorded original", "the next apply records it");
    assertThat(namespace.sysctl(FIN)).isEqualTo("45");
    assertThat(namespace.sysctl(REUSE)).isEqualTo("1");
  }

  /**
   * status.original is input from the API server like any other: a value no kernel holds, or no
   * number at all, is refused with the field, the value and the bound, and nothing is written (not
   * even the state file), instead of being written back later or replaced by the current value.
   */
  @Test
  void adoptedOriginalsOutsideTheKernelsBoundsAreRefusedAndNothingIsWritten() throws Exception {
    namespace.setSysctl(FIN, "20");
    Map<String, Map<String, String>> hostile =
        Map.of(
            "beyond tw_reuse's 0..2", Map.of(FIN, "60", REUSE, "7"),
            "negative", Map.of(FIN, "-5"),
            "beyond an int", Map.of(BUCKETS, "4294967296"),
            "not a number", Map.of(FIN, "sixty"),
            "padded", Map.of(FIN, " 60"));
    for (var entry : hostile.entrySet()) {
      ApplyResult result = apply(FIVE, entry.getValue());
      assertThat(result.rejected()).as(entry.getKey()).isNotEmpty();
      assertThat(result.applied()).as(entry.getKey()).isEmpty();
      assertThat(Files.exists(statePath)).as(entry.getKey()).isFalse();
      assertThat(namespace.sysctl(FIN)).as(entry.getKey()).isEqualTo("20");
      assertThat(namespace.sysctl(REUSE)).as(entry.getKey()).isEqualTo(defaults.get(REUSE));
    }
    ApplyResult reuse = apply(FIVE, Map.of(FIN, "60", REUSE, "7"));
    assertThat(reuse.rejected())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("status.original[net.ipv4.tcp_tw_reuse]");
              assertThat(v.message())
                  .contains("status.original[net.ipv4.tcp_tw_reuse] is 7, outside 0..2");
            });
    // What the status held is published again as it was, so that it is not lost either.
    assertThat(reuse.originals())
        .containsOnly(
            Map.entry(ManagedSysctl.FIN_TIMEOUT, 60L), Map.entry(ManagedSysctl.TW_REUSE, 7L));
    assertThat(apply(FIVE, Map.of(FIN, "sixty")).rejected())
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.message())
                    .contains(
                        "status.original[net.ipv4.tcp_fin_timeout] is 'sixty', not an integer"));
  }

  /** The kernel's bounds, not the profile's ranges: a genuine original may lie outside those. */
  @Test
  void anAdoptedOriginalOutsideTheProfileRangesIsStillRestored() throws Exception {
    namespace.setSysctl(FIN, "20");
    namespace.setSysctl(TIMESTAMPS, "2");
    ApplyResult adopted =
        apply(
            TeardownSettings.NONE
                .with(ManagedSysctl.FIN_TIMEOUT, 20)
                .with(ManagedSysctl.TIMESTAMPS, Timestamps.EnabledWithoutOffsets),
            Map.of(FIN, "600", TIMESTAMPS, "3"));
    assertThat(adopted.rejected()).isEmpty();
    assertThat(adopted.originals())
        .containsOnly(
            Map.entry(ManagedSysctl.FIN_TIMEOUT, 600L), Map.entry(ManagedSysctl.TIMESTAMPS, 3L));
    ApplyResult restored = apply(TeardownSettings.NONE, Map.of());
    assertThat(restored.errors()).isEmpty();
    assertThat(namespace.sysctl(FIN)).isEqualTo("600");
    assertThat(namespace.sysctl(TIMESTAMPS)).isEqualTo("3");
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
    NamespaceState saved = new StateFile(statePath).load();
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
