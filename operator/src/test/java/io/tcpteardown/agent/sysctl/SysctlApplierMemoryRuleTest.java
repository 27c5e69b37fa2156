package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.SafetyRules;
import io.tcpteardown.rules.Violation;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The applier's decision on a spec the operator would never write (maxOrphans beyond a quarter of
 * the node's memory), on plain files standing for /proc: nothing of it is written, not even its
 * other fields, and the violation names the memory rule.
 */
@UnitTest
class SysctlApplierMemoryRuleTest {
  private static final long GIB = 1024L * 1024 * 1024;

  @TempDir Path dir;

  private Path proc;
  private StateFile state;

  @BeforeEach
  void procRoot() throws Exception {
    proc = dir.resolve("proc");
    Path ipv4 = Files.createDirectories(proc.resolve("sys/net/ipv4"));
    Files.writeString(ipv4.resolve("tcp_fin_timeout"), "60\n");
    Files.writeString(ipv4.resolve("tcp_max_orphans"), "8192\n");
    state = new StateFile(dir.resolve("state/state.json"));
  }

  private void memTotal(long bytes) throws Exception {
    Files.writeString(
        proc.resolve("meminfo"), "MemTotal: " + bytes / 1024 + " kB\nMemFree: 1 kB\n");
  }

  private SysctlApplier applier(Optional<Long> nodeCapacity) {
    return new SysctlApplier(new SysctlFiles(proc), state, NodeMemory.of(proc, () -> nodeCapacity));
  }

  private static TeardownSettings spec(int maxOrphans) {
    return TeardownSettings.NONE
        .with(ManagedSysctl.FIN_TIMEOUT, 25)
        .with(ManagedSysctl.MAX_ORPHANS, maxOrphans);
  }

  private String sysctl(String name) throws Exception {
    return Files.readString(proc.resolve("sys/net/ipv4/" + name)).strip();
  }

  @Test
  void aTamperedMaxOrphansOnA4GibNodeWritesNothing() throws Exception {
    memTotal(4 * GIB);
    ApplyResult result = applier(Optional.empty()).apply(spec(4194304), Map.of());
    assertThat(result.rejected())
        .extracting(Violation::rule)
        .containsExactly(SafetyRules.RULE_ORPHAN_MEMORY);
    assertThat(result.rejected().getFirst().message()).contains("OrphanMemory", "of 4096 MiB");
    assertThat(result.applied()).isEmpty();
    assertThat(result.changed()).isEmpty();
    assertThat(sysctl("tcp_fin_timeout")).isEqualTo("60");
    assertThat(sysctl("tcp_max_orphans")).isEqualTo("8192");
    assertThat(state.exists()).isFalse();
    // Nor does a drift check write anything for it.
    assertThat(applier(Optional.empty()).correctDrift(spec(4194304)).corrected()).isEmpty();
    assertThat(sysctl("tcp_fin_timeout")).isEqualTo("60");
  }

  @Test
  void aTamperedChildEhashEntriesBeyondFivePercentForTheNodesMaxPodsWritesNothing()
      throws Exception {
    memTotal(4 * GIB);
    Files.writeString(proc.resolve("sys/net/ipv4/tcp_child_ehash_entries"), "0\n");
    // 1,048,576 buckets x 8 bytes = 8 MiB per pod, x 110 pods = 880 MiB: over 5% of 4 GiB.
    TeardownSettings tampered =
        TeardownSettings.NONE
            .with(ManagedSysctl.FIN_TIMEOUT, 25)
            .with(ManagedSysctl.CHILD_EHASH_ENTRIES, 1_048_576);
    SysctlApplier applier =
        new SysctlApplier(
            new SysctlFiles(proc),
            state,
            NodeMemory.of(proc, Optional::empty, () -> Optional.of(110L)));
    ApplyResult result = applier.apply(tampered, Map.of());
    assertThat(result.rejected())
        .extracting(Violation::rule)
        .containsExactly(SafetyRules.RULE_CHILD_EHASH_MEMORY);
    assertThat(result.rejected().getFirst().message())
        .contains("childEhashEntries: 1048576", "110 pods", "Use at most");
    assertThat(result.applied()).isEmpty();
    assertThat(sysctl("tcp_fin_timeout")).isEqualTo("60");
    assertThat(sysctl("tcp_child_ehash_entries")).isEqualTo("0");

    // Where the table of that many pods fits, it is written.
    SysctlApplier fits =
        new SysctlApplier(
            new SysctlFiles(proc),
            state,
            NodeMemory.of(proc, Optional::empty, () -> Optional.of(10L)));
    assertThat(fits.apply(tampered, Map.of()).rejected()).isEmpty();
    assertThat(sysctl("tcp_child_ehash_entries")).isEqualTo("1048576");
  }

  @Test
  void theLowerOfMemTotalAndTheNodesCapacityCounts() throws Exception {
    // 32768 x 64 KiB = 2 GiB: fits a quarter of 16 GiB, not of 4 GiB.
    memTotal(16 * GIB);
    ApplyResult capped = applier(Optional.of(4 * GIB)).apply(spec(32768), Map.of());
    assertThat(capped.rejected()).extracting(Violation::rule).containsExactly("OrphanMemory");
    assertThat(sysctl("tcp_max_orphans")).isEqualTo("8192");
    memTotal(4 * GIB);
    assertThat(applier(Optional.of(16 * GIB)).apply(spec(32768), Map.of()).rejected())
        .extracting(Violation::rule)
        .containsExactly("OrphanMemory");
    assertThat(sysctl("tcp_fin_timeout")).isEqualTo("60");

    memTotal(16 * GIB);
    ApplyResult fits = applier(Optional.of(16 * GIB)).apply(spec(32768), Map.of());
    assertThat(fits.rejected()).isEmpty();
    assertThat(sysctl("tcp_max_orphans")).isEqualTo("32768");
    assertThat(sysctl("tcp_fin_timeout")).isEqualTo("25");
  }

  @Test
  void aNodeCapacityThatCannotBeReadLeavesMemTotal() throws Exception {
    memTotal(4 * GIB);
    NodeMemory memory =
        NodeMemory.of(
            proc,
            () -> {
              throw new IllegalStateException("no API server");
            });
    assertThat(memory.bytes()).contains(4 * GIB);
    assertThat(NodeMemory.of(proc.resolve("none"), () -> Optional.of(GIB)).bytes()).contains(GIB);
    assertThat(NodeMemory.of(proc.resolve("none"), Optional::empty).bytes()).isEmpty();
  }
}
