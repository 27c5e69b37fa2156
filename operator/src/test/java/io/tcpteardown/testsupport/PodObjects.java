package io.tcpteardown.testsupport;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/**
 * Pod objects bound to a node, as the scheduler would leave them, for tests that have no kubelet:
 * the agent reads them from the API server and the test plays the pod's process itself.
 */
public final class PodObjects {
  private PodObjects() {}

  public static PodBuilder boundTo(
      String node, String namespace, String name, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("app")
        .withImage("example.invalid/app:1")
        .endContainer()
        .endSpec();
  }

  public static Pod create(KubernetesClient client, String node, String namespace, String name) {
    return client
        .pods()
        .inNamespace(namespace)
        .resource(boundTo(node, namespace, name, Map.of()).build())
        .create();
  }
}
