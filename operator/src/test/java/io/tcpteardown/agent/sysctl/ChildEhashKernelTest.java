package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.count.EhashTable;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * childEhashEntries on a real kernel (6.1+), in a throwaway namespace standing for the node's:
 * applied, read back, its original kept and restored; a namespace created from it afterwards has
 * its own table of that size, with half of it as its TIME_WAIT limit, and one created after the
 * restore shares the host's table again.
 */
@KernelTest
class ChildEhashKernelTest {
  private static final String CHILD = "net.ipv4.tcp_child_ehash_entries";

  @TempDir Path dir;
  private NetworkNamespace namespace;

  @BeforeEach
  void namespace() {
    namespace = NetworkNamespace.create("ehash");
  }

  @AfterEach
  void close() {
    namespace.close();
  }

  /** tcp_ehash_entries of a namespace created now from the throwaway one. */
  private long childTable() throws Exception {
    return Long.parseLong(
        namespace.exec("unshare", "-n", "cat", "/proc/sys/net/ipv4/tcp_ehash_entries").strip());
  }

  private long childTimeWaitLimit() throws Exception {
    return Long.parseLong(
        namespace.exec("unshare", "-n", "cat", "/proc/sys/net/ipv4/tcp_max_tw_buckets").strip());
  }

  @Test
  void appliedReadBackGivesNewNamespacesTheirOwnTableAndIsRestored() throws Exception {
    SysctlApplier applier =
        new SysctlApplier(
            new SysctlFiles(namespace.procRoot()), new StateFile(dir.resolve("state.json")));
    String original = namespace.sysctl(CHILD);
    assertThat(original).isEqualTo("0");
    assertThat(childTable()).as("before: a new namespace shares the table").isNegative();

    TeardownSettings settings = new TeardownSettings(null, 20, null, null, null, null, 16384);
    ApplyResult result = namespace.call(() -> applier.apply(settings, Map.of()));
    assertThat(result.errors()).isEmpty();
    assertThat(result.applied())
        .containsEntry(ManagedSysctl.CHILD_EHASH_ENTRIES, 16384L)
        .containsEntry(ManagedSysctl.FIN_TIMEOUT, 20L);
    assertThat(result.originals()).containsEntry(ManagedSysctl.CHILD_EHASH_ENTRIES, 0L);
    assertThat(namespace.sysctl(CHILD)).isEqualTo("16384");
    // The namespace itself keeps the shared table: the value governs namespaces created later.
    EhashTable own = namespace.call(() -> EhashTable.read(namespace.procRoot()));
    assertThat(own.own()).isFalse();
    assertThat(childTable()).isEqualTo(16384);
    assertThat(childTimeWaitLimit()).isEqualTo(8192);

    ApplyResult restored = namespace.call(() -> applier.apply(TeardownSettings.NONE, Map.of()));
    assertThat(restored.restored())
        .containsExactlyInAnyOrder(ManagedSysctl.CHILD_EHASH_ENTRIES, ManagedSysctl.FIN_TIMEOUT);
    assertThat(namespace.sysctl(CHILD)).isEqualTo(original);
    assertThat(childTable()).as("after the restore: shared again").isNegative();
  }

  @Test
  void theKernelRoundsUpToAPowerOfTwoAndRefusesMoreThanItsMaximum() throws Exception {
    namespace.setSysctl(CHILD, "10000");
    assertThat(childTable()).isEqualTo(16384);
    SysctlFiles files = new SysctlFiles(namespace.procRoot());
    KernelBounds bounds = KernelBounds.of(ManagedSysctl.CHILD_EHASH_ENTRIES);
    namespace.call(
        () -> {
          files.write(ManagedSysctl.CHILD_EHASH_ENTRIES, bounds.max());
          return null;
        });
    assertThat(namespace.sysctl(CHILD)).isEqualTo(Long.toString(bounds.max()));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                namespace.call(
                    () -> {
                      files.write(ManagedSysctl.CHILD_EHASH_ENTRIES, bounds.max() + 1);
                      return null;
                    }))
        .isInstanceOf(IllegalStateException.class);
    namespace.setSysctl(CHILD, "0");
  }
}
