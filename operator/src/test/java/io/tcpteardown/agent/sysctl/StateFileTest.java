package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
class StateFileTest {
  @TempDir Path dir;

  @Test
  void absentFileIsAnEmptyState() throws Exception {
    assertThat(new StateFile(dir.resolve("state.json")).load()).isEqualTo(NodeState.EMPTY);
  }

  @Test
  void savesAtomicallyAndReadsBackWhatItSaved() throws Exception {
    StateFile file = new StateFile(dir.resolve("sub/state.json"));
    NodeState state =
        new NodeState("boot-1", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L, ManagedSysctl.TW_REUSE, 2L));
    file.save(state);
    assertThat(file.load()).isEqualTo(state);
    assertThat(Files.readString(dir.resolve("sub/state.json")))
        .contains(
            "\"version\" : 1", "\"bootId\" : \"boot-1\"", "\"net.ipv4.tcp_fin_timeout\" : 60");
    try (var listing = Files.list(dir.resolve("sub"))) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("state.json");
    }
  }

  @Test
  void aFailedSaveLeavesTheOldFileIntactAndNoTemporaryFile() throws Exception {
    Path path = dir.resolve("state.json");
    StateFile file = new StateFile(path);
    NodeState old = new NodeState("boot-1", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L));
    file.save(old);
    // A directory where the rename must land: the rename fails after the temporary file was
    // written.
    Path blocked = dir.resolve("blocked");
    Files.createDirectories(blocked.resolve("state.json/child"));
    StateFile blockedFile = new StateFile(blocked.resolve("state.json"));
    assertThatThrownBy(() -> blockedFile.save(old)).isInstanceOf(java.io.IOException.class);
    try (var listing = Files.list(blocked)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("state.json");
    }
    assertThat(file.load()).isEqualTo(old);
  }

  @Test
  void aCorruptFileIsReportedWithItsPathAndWhatToDoAndLeftUntouched() throws Exception {
    Path path = dir.resolve("state.json");
    Files.writeString(path, "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_fin_timeout\": ");
    assertThatThrownBy(() -> new StateFile(path).load())
        .isInstanceOf(CorruptStateFileException.class)
        .hasMessageContaining(path.toString())
        .hasMessageContaining("not valid state JSON")
        .hasMessageContaining("move it aside");
    Files.writeString(path, "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_tw_recycle\": 0}}");
    assertThatThrownBy(() -> new StateFile(path).load())
        .hasMessageContaining("tcp_tw_recycle, which is not a managed");
    Files.writeString(path, "{\"version\": 7}");
    assertThatThrownBy(() -> new StateFile(path).load())
        .hasMessageContaining("version 7, expected 1");
    assertThat(Files.readString(path)).isEqualTo("{\"version\": 7}");
  }
}
