package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.tcpteardown.tier.UnitTest;
import java.util.HashMap;
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

  @Test
  void finishedPodsAreLeftOutAndStaticPodsAreKeyedByTheHashTheirCgroupCarries() {
    PodMeta done =
        PodDirectory.of(pod().withNewStatus().withPhase("Succeeded").endStatus().build())
            .orElseThrow();
    assertThat(done.finished()).isTrue();
    PodMeta running = new PodMeta("shop", "web", "u-2", false);
    PodMeta mirror = new PodMeta("kube-system", "etcd-node", "u-3", true);
    Map<String, PodMeta> byUid = new HashMap<>();
    byUid.put("u-1", done);
    byUid.put("u-2", running);
    byUid.put("u-3", mirror);
    byUid.put("hash-of-etcd", mirror);
    assertThat(PodDirectory.byCgroupUid(byUid))
        .isEqualTo(Map.of("u-2", running, "hash-of-etcd", mirror));
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
