package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.testsupport.PodObjects;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Once the directory says it is synced, it knows every Pod of its node. The tuning loop drops the
 * recorded originals of every pod it does not know, so a synced directory that misses a pod loses
 * that pod's originals (seen: an agent restarted mid-test dropped two pods' originals).
 */
@ApiTest
class PodDirectorySyncApiTest {
  private static final int PODS = 40;

  @Test
  void aSyncedDirectoryKnowsEveryPodOfItsNode() throws Exception {
    try (KubernetesClient client = TestCluster.client()) {
      String run = UUID.randomUUID().toString().substring(0, 8);
      String namespace = "sync-" + run;
      String node = "sync-node-" + run;
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
      try {
        Set<String> uids = new HashSet<>();
        for (int i = 0; i < PODS; i++) {
          uids.add(
              client
                  .pods()
                  .inNamespace(namespace)
                  .resource(PodObjects.boundTo(node, namespace, "p" + i, Map.of()).build())
                  .create()
                  .getMetadata()
                  .getUid());
        }
        for (int attempt = 0; attempt < 20; attempt++) {
          try (PodDirectory directory = PodDirectory.watch(client, node)) {
            while (!directory.synced()) {
              Thread.onSpinWait();
            }
            assertThat(directory.podsByCgroupUid().keySet())
                .as("attempt %d, right after synced()", attempt)
                .containsExactlyInAnyOrderElementsOf(uids);
          }
        }
      } finally {
        client.namespaces().withName(namespace).delete();
      }
    }
  }
}
