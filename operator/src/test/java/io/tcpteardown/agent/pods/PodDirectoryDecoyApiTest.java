package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.testsupport.PodObjects;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Pods a tenant creates on a node with the mirror annotation, as the API server stores them: seven
 * decoys naming a victim's UID never take its namespace, and a config hash that a second Pod claims
 * belongs to neither.
 */
@ApiTest
class PodDirectoryDecoyApiTest {
  private static final String CONFIG_HASH = "5d41402abc4b2a76b9719d911017c592";

  @Test
  void decoysWithTheMirrorAnnotationTakeNoPodsIdentity() throws Exception {
    try (KubernetesClient client = TestCluster.client()) {
      String run = UUID.randomUUID().toString().substring(0, 8);
      String victims = "victim-" + run;
      String tenant = "tenant-" + run;
      String node = "decoy-node-" + run;
      for (String namespace : new String[] {victims, tenant}) {
        client
            .namespaces()
            .resource(
                new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
            .create();
      }
      try {
        String victimUid = create(client, node, victims, "db", null).getMetadata().getUid();
        for (int i = 0; i < 7; i++) {
          create(client, node, tenant, "decoy-" + i, victimUid);
        }
        create(client, node, victims, "static-node", CONFIG_HASH);
        create(client, node, tenant, "hash-decoy", CONFIG_HASH);
        try (PodDirectory directory = PodDirectory.watch(client, node)) {
          while (!directory.synced()) {
            Thread.onSpinWait();
          }
          PodDirectory.Attribution attribution = directory.attribution();
          assertThat(attribution.byCgroupUid().get(victimUid).name()).isEqualTo("db");
          assertThat(attribution.byCgroupUid().get(victimUid).namespace()).isEqualTo(victims);
          assertThat(attribution.byCgroupUid()).doesNotContainKey(CONFIG_HASH);
          assertThat(attribution.unattributed()).containsExactly(CONFIG_HASH);
          // Every decoy is known by its own UID only, the victim's by the victim alone.
          assertThat(attribution.byCgroupUid().values())
              .filteredOn(m -> m.namespace().equals(tenant))
              .hasSize(7)
              .allSatisfy(m -> assertThat(attribution.byCgroupUid().get(m.uid())).isEqualTo(m));
        }
      } finally {
        client.namespaces().withName(victims).delete();
        client.namespaces().withName(tenant).delete();
      }
    }
  }

  private static Pod create(
      KubernetesClient client, String node, String namespace, String name, String mirror) {
    var pod = PodObjects.boundTo(node, namespace, name, Map.of());
    if (mirror != null) {
      pod.editMetadata().addToAnnotations(PodDirectory.MIRROR_ANNOTATION, mirror).endMetadata();
    }
    return client.pods().inNamespace(namespace).resource(pod.build()).create();
  }
}
