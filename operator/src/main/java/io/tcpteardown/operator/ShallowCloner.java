package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import java.util.function.Supplier;

/**
 * The copy of the informer's object that the SDK hands to each reconciliation, so that a reconciler
 * changing it cannot corrupt the cache. The SDK's default copy is a JSON round trip of the whole
 * object: with agents reporting, a profile (its status up to 64 KiB) is reconciled hundreds of
 * times a second, and those copies were 35% of the operator's CPU (flight recording, README
 * "Benchmarks"). The reconcilers here never change the primary's spec or status, and the SDK
 * changes only metadata, so the copy gets its own metadata and shares spec and status: records for
 * the project's own types, and for a Node the two fields the node controller reads. Other types get
 * the SDK's copy.
 */
final class ShallowCloner implements Cloner {
  private final KubernetesSerialization serialization;

  /**
   * @param serialization the client's, for the SDK's own copy of other kinds
   */
  ShallowCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <R extends HasMetadata> R clone(R object) {
    return switch (object) {
      case TcpTeardownProfile profile -> (R) copy(profile, TcpTeardownProfile::new);
      case TcpTeardownNode node -> (R) copy(node, TcpTeardownNode::new);
      case Node node -> (R) copy(node);
      default -> serialization.clone(object);
    };
  }

  private static <S, T, C extends CustomResource<S, T>> C copy(C resource, Supplier<C> empty) {
    C copy = empty.get();
    copy.setMetadata(metadata(resource.getMetadata()));
    copy.setSpec(resource.getSpec());
    copy.setStatus(resource.getStatus());
    return copy;
  }

  private static Node copy(Node node) {
    return new Node(
        node.getApiVersion(),
        node.getKind(),
        metadata(node.getMetadata()),
        node.getSpec(),
        node.getStatus());
  }

  private static ObjectMeta metadata(ObjectMeta metadata) {
    return metadata == null ? null : new ObjectMetaBuilder(metadata).build();
  }
}
