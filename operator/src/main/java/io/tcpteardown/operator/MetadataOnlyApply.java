package io.tcpteardown.operator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.internal.OperationSupport;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.tcpteardown.api.TcpTeardownNode;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;

/**
 * A server-side apply of a TcpTeardownNode that asks the API server to answer with the object's
 * metadata only ({@code Accept: ...;as=PartialObjectMetadata}). Fabric8's apply reads the whole
 * object back, the agent's status with its pods included, which the operator then throws away: at a
 * profile change, one such response per node for the API server to encode and the operator to
 * decrypt and parse, on the CPU the API server needs for the writes. The returned object is the
 * stored metadata with the spec that was applied: the operator is the only writer of the spec.
 */
final class MetadataOnlyApply {
  static final String ACCEPT = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
  private static final String APPLY_PATCH = "application/apply-patch+yaml";

  private MetadataOnlyApply() {}

  static TcpTeardownNode apply(KubernetesClient client, TcpTeardownNode desired, String manager) {
    MetadataAnswer stored =
        client
            .getKubernetesSerialization()
            .unmarshal(
                new ByteArrayInputStream(response(client, desired, manager)), MetadataAnswer.class);
    TcpTeardownNode applied = new TcpTeardownNode();
    applied.setMetadata(stored.metadata());
    applied.setSpec(desired.getSpec());
    return applied;
  }

  /** The API server's answer to the apply; a refusal is thrown as Fabric8 throws it. */
  static byte[] response(KubernetesClient client, TcpTeardownNode desired, String manager) {
    String body = client.getKubernetesSerialization().asJson(desired);
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(uri(client, desired.getMetadata().getName(), manager))
            .setHeader("Accept", ACCEPT)
            .method("PATCH", APPLY_PATCH, body)
            .build();
    HttpResponse<byte[]> response;
    try {
      response = client.getHttpClient().sendAsync(request, byte[].class).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw OperationSupport.requestException(request, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof KubernetesClientException k
          ? k
          : OperationSupport.requestException(request, e.getCause(), null);
    }
    if (!response.isSuccessful()) {
      throw OperationSupport.requestFailure(
          request, OperationSupport.createStatus(response, client.getKubernetesSerialization()));
    }
    return response.body();
  }

  /** A PartialObjectMetadata, of which the operator reads the metadata. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record MetadataAnswer(ObjectMeta metadata) {}

  static String uri(KubernetesClient client, String name, String manager) {
    String master = client.getMasterUrl().toString();
    return master
        + (master.endsWith("/") ? "" : "/")
        + "apis/"
        + HasMetadata.getApiVersion(TcpTeardownNode.class)
        + "/"
        + HasMetadata.getPlural(TcpTeardownNode.class)
        + "/"
        + URLEncoder.encode(name, StandardCharsets.UTF_8)
        + "?fieldManager="
        + URLEncoder.encode(manager, StandardCharsets.UTF_8)
        + "&force=true";
  }
}
