package io.tcpteardown.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;

/** Creates and patches core/v1 Events in the namespace each Event names. */
final class ApiEventWriter implements EventWriter {
  private final KubernetesClient client;

  ApiEventWriter(KubernetesClient client) {
    this.client = client;
  }

  KubernetesClient client() {
    return client;
  }

  @Override
  public void create(Event event) {
    client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
  }

  @Override
  public boolean patchCount(String namespace, String name, int count, String lastTimestamp) {
    try {
      // On resource(...), not withName(...): Fabric8's patch by name GETs the object first, a verb
      // the chart does not grant on Events (only create and patch).
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .endMetadata()
                  .build())
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"count\":" + count + ",\"lastTimestamp\":\"" + lastTimestamp + "\"}");
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }
}
