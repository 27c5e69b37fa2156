package io.tcpteardown.testsupport;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Replaces the whole spec of an object without a resourceVersion, as a user's {@code kubectl apply}
 * or the operator's own apply does. Fabric8's {@code edit()} sends the resourceVersion it read, so
 * it fails with 409 whenever the operator or an agent writes the object's status in between, which
 * they do all the time.
 */
public final class SpecReplace {
  private SpecReplace() {}

  public static <T extends HasMetadata> T replaceSpec(
      KubernetesClient client, Class<T> type, String name, Object spec) {
    return client
        .resources(type)
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"replace\",\"path\":\"/spec\",\"value\":"
                + client.getKubernetesSerialization().asJson(spec)
                + "}]");
  }
}
