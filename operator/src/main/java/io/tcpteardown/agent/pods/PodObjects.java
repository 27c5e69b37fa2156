package io.tcpteardown.agent.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** The Pod an Event is about, built from what the agent knows of it. */
final class PodObjects {
  private PodObjects() {}

  static Pod reference(String namespace, String name, String uid) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withUid(uid)
        .endMetadata()
        .build();
  }
}
