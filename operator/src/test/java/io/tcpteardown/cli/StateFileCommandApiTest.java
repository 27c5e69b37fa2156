package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.agent.sysctl.NamespaceState;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcp-teardown state-file rebuild} as run in the agent pod, against a real API server: it
 * finds the cluster the way the pod does (here through the {@code kubeconfig} setting Fabric8
 * reads, there through the pod's ServiceAccount) and repairs a temporary state file.
 */
@ApiTest
class StateFileCommandApiTest {
  private static final String FIN = "net.ipv4.tcp_fin_timeout";
  private static final String REUSE = "net.ipv4.tcp_tw_reuse";

  private static KubernetesClient client;
  private static String previousKubeconfig;

  @TempDir Path dir;
  private ClusterFixtures fixtures;
  private Path stateFile;

  @BeforeAll
  static void cluster(@TempDir Path kubeconfigDir) throws Exception {
    client = TestCluster.client();
    Path kubeconfig = kubeconfigDir.resolve("kubeconfig");
    Files.writeString(kubeconfig, TestCluster.kubeconfig());
    previousKubeconfig = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
  }

  @AfterAll
  static void restore() {
    if (previousKubeconfig == null) {
      System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    } else {
      System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previousKubeconfig);
    }
    client.close();
  }

  @BeforeEach
  void fixtures() {
    fixtures = new ClusterFixtures(client);
    stateFile = dir.resolve("state.json");
  }

  @AfterEach
  void cleanUp() {
    fixtures.close();
  }

  /** A Node and its TcpTeardownNode whose status holds {@code original}, as an agent wrote it. */
  private String nodeWithOriginals(String base, Map<String, String> original) {
    fixtures.node(base, "8Gi", Map.of());
    String name = fixtures.name(base);
    TcpTeardownNode object = new TcpTeardownNode();
    object.setMetadata(new ObjectMetaBuilder().withName(name).build());
    object.setSpec(
        TcpTeardownNodeSpec.of(
            TeardownSettings.NONE.with(ManagedSysctl.FIN_TIMEOUT, 20),
            Map.of(),
            List.of(),
            List.of()));
    TcpTeardownNode created = client.resource(object).create();
    created.setStatus(
        new TcpTeardownNodeStatus(1L, Map.of(), original, null, null, 0L, List.of(), null, null));
    client.resource(created).updateStatus();
    return name;
  }

  private CliRun rebuild(String node) {
    return CliRun.of(
        "state-file", "rebuild", "--node-name", node, "--state-file", stateFile.toString());
  }

  @Test
  void aCorruptFileIsMovedAsideAndRebuiltFromStatusOriginal() throws Exception {
    String node = nodeWithOriginals("rebuild", Map.of(FIN, "60", REUSE, "2"));
    Files.writeString(stateFile, "{\"version\": 1, \"originals\": {\"net.ipv4.tcp_fin");

    CliRun run = rebuild(node);

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(new StateFile(stateFile).load())
        .isEqualTo(
            new NamespaceState(
                null, Map.of(ManagedSysctl.FIN_TIMEOUT, 60L, ManagedSysctl.TW_REUSE, 2L)));
    Path aside;
    try (var listing = Files.list(dir)) {
      aside =
          listing
              .filter(
                  p -> p.getFileName().toString().matches("state\\.json\\.corrupt-\\d{8}T\\d{6}Z"))
              .findFirst()
              .orElseThrow();
    }
    assertThat(Files.readString(aside))
        .isEqualTo("{\"version\": 1, \"originals\": {\"net.ipv4.tcp_fin");
    assertThat(run.out()).contains("moved the unreadable state file to " + aside, node);
  }

  @Test
  void aReadableFileIsNeverReplaced() throws Exception {
    String node = nodeWithOriginals("readable", Map.of(FIN, "60"));
    new StateFile(stateFile)
        .save(new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 33L)));
    String before = Files.readString(stateFile);

    CliRun run = rebuild(node);

    assertThat(run.exit()).isEqualTo(ExitCodes.REJECTED);
    assertThat(run.err()).contains(stateFile + " is readable", "nothing to rebuild");
    assertThat(Files.readString(stateFile)).isEqualTo(before);
    // Nothing moved aside: the file, the backup its save wrote and the lock file only.
    try (var listing = Files.list(dir)) {
      assertThat(listing)
          .containsExactlyInAnyOrder(
              stateFile, dir.resolve("state.json.backup"), dir.resolve("state.json.lock"));
    }
  }

  @Test
  void anEmptyOrUntrustworthyMirrorOrAMissingNodeChangesNothing() throws Exception {
    Files.writeString(stateFile, "garbage");

    String empty = nodeWithOriginals("empty", Map.of());
    CliRun none = rebuild(empty);
    assertThat(none.exit()).isEqualTo(ExitCodes.REJECTED);
    assertThat(none.err()).contains("status.original of TcpTeardownNode " + empty, "no original");

    String hostile = nodeWithOriginals("hostile", Map.of(FIN, "60", REUSE, "9"));
    CliRun refused = rebuild(hostile);
    assertThat(refused.exit()).isEqualTo(ExitCodes.REJECTED);
    assertThat(refused.err()).contains("status.original[net.ipv4.tcp_tw_reuse] is 9, outside 0..2");

    CliRun missing = rebuild(fixtures.name("no-such-node"));
    assertThat(missing.exit()).isEqualTo(ExitCodes.REJECTED);
    assertThat(missing.err())
        .contains("there is no TcpTeardownNode " + fixtures.name("no-such-node"));

    assertThat(Files.readString(stateFile)).isEqualTo("garbage");
    // Nothing moved aside or written: the file and the lock file the rebuild held.
    try (var listing = Files.list(dir)) {
      assertThat(listing).containsExactlyInAnyOrder(stateFile, dir.resolve("state.json.lock"));
    }
  }

  /**
   * The data loss: a file cut mid-string (as a short write on a full disk left it) with
   * pods' originals in it. The documented remedy restores the node's and every pod's originals from
   * the backup each save writes first; status.original alone holds no pod's.
   */
  @Test
  void aFileCutMidStringIsRebuiltFromItsBackupWithThePodsOriginals() throws Exception {
    String node = nodeWithOriginals("backup", Map.of(FIN, "60"));
    StateFile file = new StateFile(stateFile);
    NamespaceState nodeState = new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L));
    NamespaceState pod = new NamespaceState("boot", Map.of(ManagedSysctl.TW_REUSE, 2L));
    file.save(nodeState);
    file.savePod("0b7c4f6e-1d2a-4c3b-9e8f-7a6b5c4d3e2f", pod);
    byte[] whole = Files.readAllBytes(stateFile);
    Files.write(stateFile, java.util.Arrays.copyOf(whole, whole.length - 40));

    CliRun run = rebuild(node);

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(file.load().originals()).isEqualTo(nodeState.originals());
    assertThat(file.load().bootId()).isEqualTo("boot");
    assertThat(file.loadPod("0b7c4f6e-1d2a-4c3b-9e8f-7a6b5c4d3e2f")).contains(pod);
    assertThat(run.out())
        .contains(
            "from the backup " + dir.resolve("state.json.backup"),
            "the originals of 1 pods",
            "moved the unreadable state file to");
  }
}
