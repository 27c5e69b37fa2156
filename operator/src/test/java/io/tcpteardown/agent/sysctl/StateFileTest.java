package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
class StateFileTest {
  @TempDir Path dir;

  @Test
  void absentFileIsAnEmptyState() throws Exception {
    assertThat(new StateFile(dir.resolve("state.json")).load()).isEqualTo(NamespaceState.EMPTY);
  }

  @Test
  void savesAtomicallyAndReadsBackWhatItSaved() throws Exception {
    StateFile file = new StateFile(dir.resolve("sub/state.json"));
    NamespaceState state =
        new NamespaceState(
            "boot-1", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L, ManagedSysctl.TW_REUSE, 2L));
    file.save(state);
    assertThat(file.load()).isEqualTo(state);
    assertThat(Files.readString(dir.resolve("sub/state.json")))
        .contains(
            "\"version\" : 1", "\"bootId\" : \"boot-1\"", "\"net.ipv4.tcp_fin_timeout\" : 60");
    // No temporary file: the file, its backup and its lock file only.
    try (var listing = Files.list(dir.resolve("sub"))) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("state.json", "state.json.backup", "state.json.lock");
    }
  }

  @Test
  void aFailedSaveLeavesTheOldFileIntactAndNoTemporaryFile() throws Exception {
    Path path = dir.resolve("state.json");
    StateFile file = new StateFile(path);
    NamespaceState old = new NamespaceState("boot-1", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L));
    file.save(old);
    // A directory where the file should be: it cannot be read, so it is not replaced.
    Path blocked = dir.resolve("blocked");
    Files.createDirectories(blocked.resolve("state.json/child"));
    StateFile blockedFile = new StateFile(blocked.resolve("state.json"));
    assertThatThrownBy(() -> blockedFile.save(old)).isInstanceOf(java.io.IOException.class);
    try (var listing = Files.list(blocked)) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("state.json", "state.json.lock");
    }
    // A directory where the backup's rename must land: the rename fails after the temporary file
    // was written.
    Path blockedBackup = dir.resolve("blocked-backup");
    Files.createDirectories(blockedBackup.resolve("state.json.backup/child"));
    StateFile backupBlocked = new StateFile(blockedBackup.resolve("state.json"));
    assertThatThrownBy(() -> backupBlocked.save(old)).isInstanceOf(java.io.IOException.class);
    try (var listing = Files.list(blockedBackup)) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("state.json.backup", "state.json.lock");
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
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("state-file rebuild");
    assertThat(Files.readString(path)).endsWith(": ");
  }

  /**
   * Only what this agent cannot make sense of is corrupt: not JSON, not an object, or a field it
   * knows with the wrong type. No coercion: a string, a fraction, a duplicate or trailing content
   * is not silently turned into a value.
   */
  @Test
  void wrongShapesOfTheFieldsThisAgentKnowsAreCorruptAndNeverCoerced() throws Exception {
    Map<String, String> corrupt = new LinkedHashMap<>();
    corrupt.put("garbage", "not valid JSON");
    corrupt.put("", "is empty");
    corrupt.put("[{\"version\": 1}]", "not an object (it is an array)");
    corrupt.put("\"state\"", "not an object (it is a string)");
    corrupt.put("{\"originals\": {}}", "has no \"version\"");
    corrupt.put("{\"version\": \"1\"}", "version = \"1\" (a string)");
    corrupt.put("{\"version\": 0}", "version = 0");
    corrupt.put("{\"version\": 1.5}", "version = 1.5 (a fraction)");
    corrupt.put("{\"version\": 1, \"bootId\": 5}", "bootId = 5");
    corrupt.put("{\"version\": 1, \"originals\": []}", "originals = [] (an array)");
    corrupt.put(
        "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_fin_timeout\": \"60\"}}",
        "originals.net.ipv4.tcp_fin_timeout = \"60\" (a string), expected a whole number");
    corrupt.put(
        "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_fin_timeout\": 60.5}}",
        "originals.net.ipv4.tcp_fin_timeout = 60.5 (a fraction)");
    corrupt.put(
        "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_fin_timeout\": null}}",
        "originals.net.ipv4.tcp_fin_timeout = null");
    corrupt.put(
        "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_fin_timeout\": 99999999999999999999}}",
        "a whole number out of range");
    corrupt.put(
        "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_fin_timeout\": 60, "
            + "\"net.ipv4.tcp_fin_timeout\": 20}}",
        "Duplicate field 'net.ipv4.tcp_fin_timeout'");
    corrupt.put("{\"version\": 1} {\"version\": 1}", "not valid JSON");
    Path path = dir.resolve("state.json");
    for (var entry : corrupt.entrySet()) {
      Files.writeString(path, entry.getKey());
      assertThatThrownBy(() -> new StateFile(path).load())
          .as(entry.getKey())
          .isInstanceOf(CorruptStateFileException.class)
          .hasMessageContaining(path.toString())
          .hasMessageContaining(entry.getValue());
      assertThat(Files.readString(path)).isEqualTo(entry.getKey());
    }
  }

  /**
   * A rollback: a newer agent wrote a higher version, sysctls this one does not manage and a
   * section it does not know (originals of pod network namespaces). This agent reads what it knows,
   * and when it rewrites the file everything else is still there, unchanged.
   */
  @Test
  void aFileOfANewerAgentIsReadAndWhatThisAgentDoesNotKnowSurvivesItsRewrites() throws Exception {
    Path path = dir.resolve("state.json");
    String newer =
        """
        {
          "version": 3,
          "bootId": "boot-1",
          "originals": {
            "net.ipv4.tcp_fin_timeout": 60,
            "net.ipv4.tcp_keepalive_time": 7200,
            "net.ipv6.conf.all.something": {"value": 1, "unit": "s"}
          },
          "podNamespaces": {
            "3f9c-pod-uid": {"inode": 4026532291, "originals": {"net.ipv4.tcp_fin_timeout": 30}}
          },
          "writtenBy": "tcp-teardown 2.0.0",
          "flags": [1, 2.5, null, true]
        }
        """;
    Files.writeString(path, newer);
    StateFile file = new StateFile(path);

    NamespaceState loaded = file.load();
    assertThat(loaded.bootId()).isEqualTo("boot-1");
    assertThat(loaded.originals()).containsExactly(Map.entry(ManagedSysctl.FIN_TIMEOUT, 60L));

    // The agent restores tcp_fin_timeout, records tcp_tw_reuse and notes a new boot.
    file.save(
        loaded
            .withoutOriginal(ManagedSysctl.FIN_TIMEOUT)
            .withOriginal(ManagedSysctl.TW_REUSE, 2)
            .withBootId("boot-2"));
    // And once more from what it reads back, as it does on every apply.
    file.save(file.load().withOriginal(ManagedSysctl.TIMESTAMPS, 1));

    ObjectMapper json = new ObjectMapper();
    ObjectNode expected = (ObjectNode) json.readTree(newer);
    expected.put("bootId", "boot-2");
    ObjectNode originals = (ObjectNode) expected.get("originals");
    originals.remove("net.ipv4.tcp_fin_timeout");
    originals.put("net.ipv4.tcp_tw_reuse", 2);
    originals.put("net.ipv4.tcp_timestamps", 1);
    assertThat(json.readTree(Files.readString(path))).isEqualTo(expected);
    assertThat(file.load().originals())
        .containsOnly(
            Map.entry(ManagedSysctl.TW_REUSE, 2L), Map.entry(ManagedSysctl.TIMESTAMPS, 1L));
  }

  @Test
  void aFileOfThisVersionIsWrittenAsVersionOneWithNothingElse() throws Exception {
    Path path = dir.resolve("state.json");
    StateFile file = new StateFile(path);
    file.save(NamespaceState.EMPTY.withOriginal(ManagedSysctl.MAX_ORPHANS, 131072));
    assertThat(new ObjectMapper().readTree(Files.readString(path)))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_max_orphans\": 131072}}"));
    assertThat(file.load())
        .isEqualTo(NamespaceState.EMPTY.withOriginal(ManagedSysctl.MAX_ORPHANS, 131072));
  }
}
