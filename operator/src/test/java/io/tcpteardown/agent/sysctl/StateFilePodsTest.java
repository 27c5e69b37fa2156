package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pods section of the state file: originals of pod network namespaces keyed by pod UID. */
@UnitTest
class StateFilePodsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void podOriginalsAreKeyedByUidAndReadBack() throws Exception {
    StateFile file = new StateFile(dir.resolve("state.json"));
    NamespaceState pod = new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L));
    new PodOriginals(file, "uid-1").save(pod);
    assertThat(new PodOriginals(file, "uid-1").load()).isEqualTo(pod);
    assertThat(new PodOriginals(file, "uid-2").loadIfPresent()).isEmpty();
    assertThat(JSON.readTree(dir.resolve("state.json").toFile()).at("/pods/uid-1/originals"))
        .hasToString("{\"net.ipv4.tcp_fin_timeout\":60}");
    assertThat(file.podUids()).containsExactly("uid-1");
  }

  @Test
  void aFileWithOnlyPodsHasNoNodeSectionSoTheNodeMayStillAdoptItsMirror() throws Exception {
    StateFile file = new StateFile(dir.resolve("state.json"));
    file.savePod("uid-1", new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L)));
    assertThat(file.loadIfPresent()).isEmpty();
  }

  @Test
  void nodeAndPodSavesNeverLoseEachOther() throws Exception {
    StateFile file = new StateFile(dir.resolve("state.json"));
    NamespaceState node = new NamespaceState("boot", Map.of(ManagedSysctl.MAX_ORPHANS, 4096L));
    file.save(node);
    NamespaceState staleNodeView = file.load();
    file.savePod("uid-1", new NamespaceState("boot", Map.of(ManagedSysctl.TW_REUSE, 2L)));
    // The node's loop saves from the view it loaded before the pod was saved.
    file.save(staleNodeView.withOriginal(ManagedSysctl.FIN_TIMEOUT, 60L));
    assertThat(file.loadPod("uid-1")).isPresent();
    file.savePod("uid-2", new NamespaceState("boot", Map.of(ManagedSysctl.TW_REUSE, 2L)));
    assertThat(file.load().originals())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(ManagedSysctl.MAX_ORPHANS, 4096L, ManagedSysctl.FIN_TIMEOUT, 60L));
    assertThat(file.podUids()).containsExactly("uid-1", "uid-2");
  }

  @Test
  void anEntryWithNoOriginalsLeftIsRemovedAndGonePodsAreDropped() throws Exception {
    StateFile file = new StateFile(dir.resolve("state.json"));
    file.save(new NamespaceState("boot", Map.of()));
    file.savePod("a", new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L)));
    file.savePod("b", new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L)));
    file.savePod("c", new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L)));
    file.savePod("a", new NamespaceState("boot", Map.of()));
    assertThat(file.podUids()).containsExactly("b", "c");
    assertThat(file.retainPods(Set.of("c", "unrelated"))).containsExactly("b");
    assertThat(file.podUids()).containsExactly("c");
    assertThat(file.retainPods(Set.of())).containsExactly("c");
    assertThat(Files.readString(dir.resolve("state.json"))).doesNotContain("pods");
  }

  @Test
  void whatANewerAgentWroteInAPodEntryIsKept() throws Exception {
    Path path = dir.resolve("state.json");
    Files.writeString(
        path,
        """
        {"version":2,"originals":{},"pods":{"u":{"bootId":"b","future":[1],
          "originals":{"net.ipv4.tcp_fin_timeout":60,"net.ipv4.tcp_future":7}}}}
        """);
    StateFile file = new StateFile(path);
    NamespaceState pod = file.loadPod("u").orElseThrow();
    assertThat(pod.originals()).isEqualTo(Map.of(ManagedSysctl.FIN_TIMEOUT, 60L));
    file.savePod("u", pod.withOriginal(ManagedSysctl.TW_REUSE, 2L));
    var root = JSON.readTree(path.toFile());
    assertThat(root.get("version").intValue()).isEqualTo(2);
    assertThat(root.at("/pods/u/future")).hasToString("[1]");
    assertThat(root.at("/pods/u/originals/net.ipv4.tcp_future").intValue()).isEqualTo(7);
    assertThat(root.at("/pods/u/originals/net.ipv4.tcp_tw_reuse").intValue()).isEqualTo(2);
  }

  @Test
  void anAgentBeforePodTuningKeepsThePodsSectionAsAnUnknownSection() throws Exception {
    // What the previous agent does: loads the node's section and saves it back; the pods section
    // is one of the top-level fields it does not know, so it travels in NamespaceState.Preserved.
    Path path = dir.resolve("state.json");
    StateFile file = new StateFile(path);
    file.save(new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L)));
    file.savePod("u", new NamespaceState("boot", Map.of(ManagedSysctl.TW_REUSE, 2L)));
    NamespaceState node = file.load();
    assertThat(node.preserved().fields()).contains("\"pods\"");
    Files.delete(path);
    // Saved over a file without pods (as the old agent's toJson would): the section survives.
    String old = node.preserved().fields();
    assertThat(JSON.readTree(old).at("/pods/u/originals/net.ipv4.tcp_tw_reuse").intValue())
        .isEqualTo(2);
  }

  @Test
  void aPodEntryOfTheWrongTypeIsCorruptNamingTheFieldAndLeavesTheNodeSectionReadable()
      throws Exception {
    Path path = dir.resolve("state.json");
    Files.writeString(
        path,
        "{\"version\":1,\"originals\":{\"net.ipv4.tcp_fin_timeout\":60},"
            + "\"pods\":{\"u\":{\"originals\":{\"net.ipv4.tcp_fin_timeout\":\"60\"}},\"v\":3}}");
    StateFile file = new StateFile(path);
    assertThatThrownBy(() -> file.loadPod("u"))
        .isInstanceOf(CorruptStateFileException.class)
        .hasMessageContaining("pods.u.originals.net.ipv4.tcp_fin_timeout")
        .hasMessageContaining("writes no sysctl in pods")
        .hasMessageContaining("the node's own values are still managed")
        .hasMessageContaining("state-file rebuild")
        .hasMessageContaining("state.json.backup");
    assertThatThrownBy(() -> file.loadPod("v")).hasMessageContaining("pods.v");
    Path list = dir.resolve("list.json");
    Files.writeString(list, "{\"version\":1,\"originals\":{},\"pods\":[1]}");
    StateFile listFile = new StateFile(list);
    assertThatThrownBy(() -> listFile.savePod("u", NamespaceState.EMPTY))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("pods = [1]");
    assertThatThrownBy(() -> listFile.retainPods(Set.of())).isInstanceOf(java.io.IOException.class);
    assertThat(Files.readString(list)).contains("[1]");
    assertThat(file.load().originals()).isEqualTo(Map.of(ManagedSysctl.FIN_TIMEOUT, 60L));
    // The node's save keeps the damaged section as it is: it is never silently replaced.
    file.save(file.load().withOriginal(ManagedSysctl.TW_REUSE, 2L));
    assertThat(Files.readString(path)).contains("\"v\" : 3");
  }
}
