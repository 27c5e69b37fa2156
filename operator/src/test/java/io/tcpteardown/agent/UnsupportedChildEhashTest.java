package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.FieldError;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.agent.sysctl.SysctlApplier;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kernel before 6.1 has no tcp_child_ehash_entries: the field is unsupported, the rest applies.
 */
@UnitTest
class UnsupportedChildEhashTest {
  @TempDir Path dir;

  @Test
  void theFieldIsReportedUnsupportedNamingTheKernelAndTheRestIsApplied() throws Exception {
    Path proc = FakeProcRoot.create(dir);
    Files.createDirectories(proc.resolve("sys/kernel"));
    Files.writeString(proc.resolve("sys/kernel/osrelease"), "5.15.0-91-generic\n");
    assertThat(proc.resolve("sys/net/ipv4/tcp_child_ehash_entries")).doesNotExist();
    SysctlApplier applier =
        new SysctlApplier(new SysctlFiles(proc), new StateFile(dir.resolve("state.json")));

    ApplyResult result =
        applier.apply(new TeardownSettings(null, 20, null, null, null, null, 16384), Map.of());

    assertThat(result.applied()).containsOnly(Map.entry(ManagedSysctl.FIN_TIMEOUT, 20L));
    assertThat(Files.readString(proc.resolve("sys/net/ipv4/tcp_fin_timeout"))).isEqualTo("20\n");
    FieldError error = result.errors().get(ManagedSysctl.CHILD_EHASH_ENTRIES);
    assertThat(error.reason()).isEqualTo(FieldError.Reason.MISSING);
    assertThat(error.message())
        .contains(
            "childEhashEntries is unsupported",
            "Linux 5.15.0-91-generic",
            "6.1",
            "other fields are applied");
    assertThat(result.originals()).doesNotContainKey(ManagedSysctl.CHILD_EHASH_ENTRIES);
  }
}
