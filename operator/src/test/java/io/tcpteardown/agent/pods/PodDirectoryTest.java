package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.tcpteardown.tier.UnitTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What pod rules need of a Pod object: labels, its own sysctls, whether it finished. */
@UnitTest
class PodDirectoryTest {
  private static PodBuilder pod() {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName("web")
        .withUid("u-1")
        .addToLabels("app", "web")
        .endMetadata()
        .withNewSpec()
        .endSpec();
  }

  @Test
  void labelsAndTheSysctlsThePodSetsItselfInBothNotations() {
    Pod pod =
        pod()
            .editSpec()
            .withNewSecurityContext()
            .addNewSysctl()
            .withName("net.ipv4.tcp_fin_timeout")
            .withValue("50")
            .endSysctl()
            .addNewSysctl()
            .withName("net/ipv4/tcp_tw_reuse")
            .withValue("1")
            .endSysctl()
            .addNewSysctl()
            .endSysctl()
            .endSecurityContext()
            .endSpec()
            .build();
    PodMeta meta = PodDirectory.of(pod).orElseThrow();
    assertThat(meta.labels()).isEqualTo(Map.of("app", "web"));
    assertThat(meta.ownSysctls())
        .isEqualTo(Set.of("net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_tw_reuse"));
    assertThat(meta.finished()).isFalse();
  }

  private static final String VICTIM_UID = "0b5c1d7e-3f4a-4b6c-9d8e-1a2b3c4d5e6f";
  private static final String STATIC_HASH = "5d41402abc4b2a76b9719d911017c592";

  private static Pod named(String namespace, String name, String uid, String mirror) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .withUid(uid)
            .addToLabels("app", name)
            .endMetadata()
            .withNewSpec()
            .endSpec();
    if (mirror != null) {
      pod.editMetadata().addToAnnotations(PodDirectory.MIRROR_ANNOTATION, mirror).endMetadata();
    }
    return pod.build();
  }

  /** Both orders of the informer's store. */
  private static List<List<Pod>> bothOrders(Pod... pods) {
    List<Pod> reversed = new ArrayList<>(List.of(pods));
    Collections.reverse(reversed);
    return List.of(List.of(pods), reversed);
  }

  @Test
  void finishedPodsAreLeftOutAndStaticPodsAreKeyedByTheHashTheirCgroupCarries() {
    Pod done =
        new PodBuilder(named("shop", "done", "u-1", null))
            .withNewStatus()
            .withPhase("Succeeded")
            .endStatus()
            .build();
    assertThat(PodDirectory.of(done).orElseThrow().finished()).isTrue();
    Pod running = named("shop", "web", "u-2", null);
    Pod mirror = named("kube-system", "etcd-node", "u-3", STATIC_HASH);
    for (List<Pod> store : bothOrders(done, running, mirror)) {
      PodDirectory.Attribution attribution = PodDirectory.attribute(store);
      assertThat(attribution.byCgroupUid())
          .isEqualTo(
              Map.of(
                  "u-2",
                  PodDirectory.of(running).orElseThrow(),
                  STATIC_HASH,
                  PodDirectory.of(mirror).orElseThrow()));
      assertThat(attribution.unattributed()).isEmpty();
    }
  }

  @Test
  void aDecoyNamingAVictimsUidInTheMirrorAnnotationNeverTakesItsNamespace() {
    Pod victim = named("victim", "db", VICTIM_UID, null);
    Pod decoy = named("tenant", "decoy", "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9", VICTIM_UID);
    for (List<Pod> store : bothOrders(victim, decoy)) {
      Map<String, PodMeta> byCgroupUid = PodDirectory.attribute(store).byCgroupUid();
      assertThat(byCgroupUid.get(VICTIM_UID).namespace()).isEqualTo("victim");
      assertThat(byCgroupUid.values()).filteredOn(m -> m.namespace().equals("tenant")).hasSize(1);
      assertThat(byCgroupUid.get(decoy.getMetadata().getUid()).namespace()).isEqualTo("tenant");
    }
  }

  @Test
  void aRealUidWinsEvenOverAClaimOfTheConfigHashShape() {
    // API servers assign UUIDs, but a real UID wins whatever its shape.
    Pod real = named("victim", "db", STATIC_HASH, null);
    Pod decoy = named("tenant", "decoy", "u-9", STATIC_HASH);
    for (List<Pod> store : bothOrders(real, decoy)) {
      PodDirectory.Attribution attribution = PodDirectory.attribute(store);
      assertThat(attribution.byCgroupUid().get(STATIC_HASH).namespace()).isEqualTo("victim");
      assertThat(attribution.byCgroupUid().get("u-9").namespace()).isEqualTo("tenant");
      assertThat(attribution.unattributed()).isEmpty();
    }
  }

  @Test
  void twoPodsClaimingOneConfigHashLeaveItUnattributedInEitherOrder() {
    Pod mirror = named("kube-system", "etcd-node", "u-3", STATIC_HASH);
    Pod decoy = named("tenant", "decoy", "u-4", STATIC_HASH);
    Pod bystander = named("shop", "web", "u-5", null);
    for (List<Pod> store : bothOrders(mirror, decoy, bystander)) {
      PodDirectory.Attribution attribution = PodDirectory.attribute(store);
      assertThat(attribution.byCgroupUid())
          .isEqualTo(Map.of("u-5", PodDirectory.of(bystander).orElseThrow()));
      assertThat(attribution.unattributed()).containsExactly(STATIC_HASH);
    }
    // Seven decoys, as in the reproduction: still nobody's.
    List<Pod> seven = new ArrayList<>();
    seven.add(mirror);
    for (int i = 0; i < 7; i++) {
      seven.add(named("tenant", "decoy-" + i, "d-" + i, STATIC_HASH));
    }
    for (List<Pod> store : bothOrders(seven.toArray(Pod[]::new))) {
      assertThat(PodDirectory.attribute(store).byCgroupUid()).isEmpty();
      assertThat(PodDirectory.attribute(store).unattributed()).containsExactly(STATIC_HASH);
    }
  }

  @Test
  void onlyTheKubeletsConfigHashShapeIsHonoured() {
    for (String value :
        List.of(
            VICTIM_UID,
            VICTIM_UID.replace('-', '_'),
            STATIC_HASH.toUpperCase(java.util.Locale.ROOT),
            STATIC_HASH.substring(1),
            STATIC_HASH + "0",
            " " + STATIC_HASH,
            STATIC_HASH + "\n",
            "",
            "zz41402abc4b2a76b9719d911017c592")) {
      Pod claimant = named("tenant", "decoy", "u-7", value);
      assertThat(PodDirectory.claimedHash(claimant)).as(value).isEmpty();
      assertThat(PodDirectory.attribute(List.of(claimant)).byCgroupUid())
          .as(value)
          .containsOnlyKeys("u-7");
    }
    assertThat(PodDirectory.claimedHash(named("kube-system", "etcd", "u-3", STATIC_HASH)))
        .contains(STATIC_HASH);
  }

  @Test
  void namespaceLabelsAlwaysCarryTheNameLabelAndDropNulls() {
    Map<String, String> labels = new HashMap<>();
    labels.put("team", "shop");
    labels.put("broken", null);
    assertThat(NamespaceLabels.of("shop", labels))
        .isEqualTo(Map.of("team", "shop", NamespaceLabels.NAME_LABEL, "shop"));
    assertThat(NamespaceLabels.of("x", null)).isEqualTo(Map.of(NamespaceLabels.NAME_LABEL, "x"));
  }
}
