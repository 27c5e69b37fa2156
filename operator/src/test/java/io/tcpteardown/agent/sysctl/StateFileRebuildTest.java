package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state-file rebuild} never costs the pods' originals: every save writes {@code
 * <file>.backup} first, and the rebuild restores from it when the file is corrupt (cut as a short
 * write on a full disk would cut it) or its pods section cannot be read.
 */
@UnitTest
class StateFileRebuildTest {
  private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
  private static final NamespaceState POD_A =
      new NamespaceState(
          "boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L, ManagedSysctl.TW_REUSE, 2L));
  private static final NamespaceState POD_B =
      new NamespaceState("boot", Map.of(ManagedSysctl.TW_REUSE, 0L));
  private static final NamespaceState NODE =
      new NamespaceState(
          "boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L, ManagedSysctl.TIMESTAMPS, 1L));

  @TempDir Path dir;

  private StateFile saved() throws Exception {
    StateFile file = new StateFile(dir.resolve("state.json"));
    file.save(NODE);
    file.savePod("pod-a", POD_A);
    file.savePod("pod-b", POD_B);
    return file;
  }

  @Test
  void aFileCutMidStringIsRebuiltFromTheBackupWithEveryPodsOriginals() throws Exception {
    StateFile file = saved();
    byte[] whole = Files.readAllBytes(file.path());
    Files.write(file.path(), Arrays.copyOf(whole, whole.length / 2));
    assertThatThrownBy(file::load).isInstanceOf(CorruptStateFileException.class);

    // status.original is stale and misses a field: the backup wins, the difference is reported.
    StateFileRebuild.Rebuilt rebuilt =
        StateFileRebuild.rebuild(
            file, Map.of("net.ipv4.tcp_fin_timeout", "55"), "TcpTeardownNode n1", NOW);

    assertThat(rebuilt.fromBackup()).contains(file.backupPath());
    assertThat(rebuilt.pods()).containsExactlyInAnyOrder("pod-a", "pod-b");
    assertThat(file.loadPod("pod-a")).contains(POD_A);
    assertThat(file.loadPod("pod-b")).contains(POD_B);
    assertThat(file.load().originals()).isEqualTo(NODE.originals());
    assertThat(file.load().bootId()).isEqualTo("boot");
    Path aside = dir.resolve("state.json.corrupt-20261207T030000Z");
    assertThat(rebuilt.movedAside()).contains(aside);
    assertThat(Files.readAllBytes(aside)).isEqualTo(Arrays.copyOf(whole, whole.length / 2));
    assertThat(rebuilt.notes())
        .anyMatch(
            note ->
                note.contains("net.ipv4.tcp_fin_timeout=55")
                    && note.contains("the backup says 60"));
  }

  @Test
  void withoutABackupTheNodesOriginalsComeFromStatusOriginalAndTheLossIsSaid() throws Exception {
    StateFile file = saved();
    Files.writeString(file.path(), "{\"version\": 1, \"pods\": {\"pod-a\": {\"orig");
    Files.delete(file.backupPath());

    StateFileRebuild.Rebuilt rebuilt =
        StateFileRebuild.rebuild(
            file, Map.of("net.ipv4.tcp_fin_timeout", "60"), "TcpTeardownNode n1", NOW);

    assertThat(rebuilt.fromBackup()).isEmpty();
    assertThat(file.load().originals()).isEqualTo(Map.of(ManagedSysctl.FIN_TIMEOUT, 60L));
    assertThat(file.podUids()).isEmpty();
    assertThat(rebuilt.notes())
        .anyMatch(note -> note.contains("there is no backup"))
        .anyMatch(note -> note.contains("pods' originals") && note.contains("not recovered"));
  }

  @Test
  void aDamagedPodsSectionIsTakenFromTheBackupAndTheNodeSectionKept() throws Exception {
    StateFile file = saved();
    String damaged =
        Files.readString(file.path())
            .replace("\"net.ipv4.tcp_tw_reuse\" : 0", "\"net.ipv4.tcp_tw_reuse\" : \"0\"");
    Files.writeString(file.path(), damaged);
    assertThatThrownBy(() -> file.loadPod("pod-b")).isInstanceOf(CorruptStateFileException.class);
    // The node's saves go on and keep the damaged section as it is, but leave the backup alone.
    NamespaceState node = NODE.withOriginal(ManagedSysctl.MAX_TW_BUCKETS, 262144L);
    file.save(node);
    assertThat(Files.readString(file.path())).contains("\"0\"");
    assertThat(new StateFile(file.backupPath()).loadPod("pod-b")).contains(POD_B);

    StateFileRebuild.Rebuilt rebuilt =
        StateFileRebuild.rebuild(file, Map.of(), "TcpTeardownNode n1", NOW);

    assertThat(rebuilt.fromBackup()).contains(file.backupPath());
    assertThat(file.loadPod("pod-a")).contains(POD_A);
    assertThat(file.loadPod("pod-b")).contains(POD_B);
    assertThat(file.load().originals()).isEqualTo(node.originals());
  }

  @Test
  void aReadableFileIsRefusedAndAnUnreadableBackupIsNeverUsed() throws Exception {
    StateFile file = saved();
    String before = Files.readString(file.path());
    assertThatThrownBy(() -> StateFileRebuild.rebuild(file, Map.of(), "TcpTeardownNode n1", NOW))
        .isInstanceOf(StateFileRebuild.Refused.class)
        .hasMessageContaining("is readable", "2 pods");
    assertThat(Files.readString(file.path())).isEqualTo(before);

    Files.writeString(file.path(), "garbage");
    Files.writeString(file.backupPath(), "{\"version\": 1, \"originals\": [1]}");
    assertThatThrownBy(() -> StateFileRebuild.rebuild(file, Map.of(), "TcpTeardownNode n1", NOW))
        .isInstanceOf(StateFileRebuild.Refused.class)
        .hasMessageContaining("holds no original")
        .hasMessageContaining("the backup " + file.backupPath() + " is not used");
    assertThat(Files.readString(file.path())).isEqualTo("garbage");
    assertThat(Optional.of(Files.readString(file.backupPath())))
        .contains("{\"version\": 1, \"originals\": [1]}");
  }

  @Test
  void aSaveNeverReplacesAnUnreadableFileNorItsBackup() throws Exception {
    StateFile file = saved();
    String backup = Files.readString(file.backupPath());
    Files.writeString(file.path(), "{\"version\": 1, \"pods\": {\"pod-a\"");
    assertThatThrownBy(() -> file.save(NODE))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("is not valid JSON");
    assertThat(Files.readString(file.path())).isEqualTo("{\"version\": 1, \"pods\": {\"pod-a\"");
    assertThat(Files.readString(file.backupPath())).isEqualTo(backup);
  }
}
