package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.PodFacts;
import io.tcpteardown.rules.PodRule;
import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.testsupport.SimulatedPod.Driver;
import io.tcpteardown.testsupport.SimulatedPod.Qos;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoy Pods with the mirror annotation against the pod tuning loop on the real kernel, the Pods
 * mapped to the loop's facts as the agent maps them ({@link PodDirectory#attribute}): a decoy's
 * profile never reaches a victim's network namespace, and a config hash two Pods claim leaves that
 * namespace as it is, its recorded originals kept.
 */
@KernelTest
class PodAttributionKernelTest {
  private static final String FIN = "net.ipv4.tcp_fin_timeout";
  private static final Path PROC = Path.of("/proc");

  @TempDir Path dir;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<Pod> store = new CopyOnWriteArrayList<>();
  private StateFile stateFile;
  private PodTuningLoop loop;

  @BeforeEach
  void setUp() throws Exception {
    NetworkNamespace.requireNamespaces();
    stateFile = new StateFile(dir.resolve("state.json"));
    NamespaceThread thread = NamespaceThread.start(PROC);
    resources.add(thread);
    PodTuningLoop.Pods known =
        new PodTuningLoop.Pods() {
          @Override
          public Collection<PodFacts> pods() {
            List<PodFacts> facts = new ArrayList<>();
            PodDirectory.attribute(store)
                .byCgroupUid()
                .forEach(
                    (uid, meta) ->
                        facts.add(
                            new PodFacts(
                                uid,
                                meta.namespace(),
                                meta.name(),
                                meta.labels(),
                                Map.of(),
                                meta.ownSysctls())));
            return facts;
          }

          @Override
          public boolean synced() {
            return true;
          }

          @Override
          public Set<String> unattributed() {
            return PodDirectory.attribute(store).unattributed();
          }
        };
    // The decoys' labels choose this rule; nothing selects the victim or the static pod's others.
    List<PodRule> rules =
        List.of(
            new PodRule(
                "decoys",
                0,
                null,
                new NodeSelector(Map.of("app", "decoy"), null),
                false,
                new TeardownSettings(null, 23, null, null, null, null)),
            new PodRule(
                "static",
                0,
                null,
                new NodeSelector(Map.of("app", "static"), null),
                false,
                new TeardownSettings(null, 25, null, null, null, null)));
    loop =
        new PodTuningLoop(
            new PodTuner(thread, stateFile, PROC),
            stateFile,
            new NamespaceScanner(PROC),
            known,
            () -> java.util.Optional.of(rules),
            Duration.ofSeconds(30),
            Duration.ofMillis(250),
            (object, type, reason, message) -> {});
    resources.add(loop);
    loop.start();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private static Pod pod(String namespace, String name, String uid, String app, String mirror) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .withUid(uid)
            .addToLabels("app", app)
            .endMetadata()
            .withNewSpec()
            .endSpec();
    if (mirror != null) {
      pod.editMetadata().addToAnnotations(PodDirectory.MIRROR_ANNOTATION, mirror).endMetadata();
    }
    return pod.build();
  }

  private NetworkNamespace sandbox(String cgroupUid) throws Exception {
    NetworkNamespace namespace = NetworkNamespace.create("attr");
    resources.add(namespace);
    resources.add(
        SimulatedPod.start(
            namespace,
            "tcp-teardown-test-" + cgroupUid.substring(0, 8),
            cgroupUid,
            Driver.CGROUPFS,
            Qos.BESTEFFORT));
    return namespace;
  }

  /** A few passes of the loop after a change of the store. */
  private void passes() throws Exception {
    for (int i = 0; i < 4; i++) {
      loop.trigger();
      Thread.sleep(250);
    }
  }

  @Test
  void sevenDecoysNamingTheVictimsUidNeverTuneItsNamespace() throws Exception {
    String victimUid = UUID.randomUUID().toString();
    store.add(pod("victim", "db", victimUid, "db", null));
    NetworkNamespace victim = sandbox(victimUid);
    String before = victim.sysctl(FIN);
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 7; i++) {
        store.add(
            pod(
                "tenant",
                "decoy-" + round + "-" + i,
                UUID.randomUUID().toString(),
                "decoy",
                victimUid));
      }
      passes();
      assertThat(victim.sysctl(FIN)).as("round %d", round).isEqualTo(before);
    }
    assertThat(stateFile.podUids()).doesNotContain(victimUid);
  }

  @Test
  void aConfigHashTwoPodsClaimIsLeftAsItIsWithItsOriginals() throws Exception {
    String hash = UUID.randomUUID().toString().replace("-", "");
    store.add(pod("kube-system", "static-node", UUID.randomUUID().toString(), "static", hash));
    NetworkNamespace staticPod = sandbox(hash);
    long start = System.nanoTime();
    // How soon is PodTuningLoopKernelTest's matter; here the loop is asked again until it has.
    while (!staticPod.sysctl(FIN).equals("25") && System.nanoTime() - start < 30_000_000_000L) {
      loop.trigger();
      Thread.sleep(100);
    }
    assertThat(staticPod.sysctl(FIN)).as("the sole claimant's rule applies").isEqualTo("25");
    assertThat(stateFile.podUids()).contains(hash);

    store.add(pod("tenant", "decoy", UUID.randomUUID().toString(), "decoy", hash));
    passes();
    assertThat(staticPod.sysctl(FIN)).as("neither the decoy's rule nor a restore").isEqualTo("25");
    assertThat(stateFile.podUids()).as("its originals are kept").contains(hash);
  }
}
