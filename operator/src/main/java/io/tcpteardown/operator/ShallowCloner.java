package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;

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
  private final Cloner fallback;

  ShallowCloner(Cloner fallback) {
    this.fallback = fallback;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <R extends HasMetadata> R clone(R object) {
    return switch (object) {
      case TcpTeardownProfile profile -> (R) copy(profile);
      case TcpTeardownNode node -> (R) copy(node);
      case Node node -> (R) copy(node);
      default -> fallback.clone(object);
    };
  }

  private static TcpTeardownProfile copy(TcpTeardownProfile profile) {
    TcpTeardownProfile copy = new TcpTeardownProfile();
    copy.setMetadata(metadata(profile.getMetadata()));
    copy.setSpec(profile.getSpec());
    copy.setStatus(profile.getStatus());
    return copy;
  }

  private static TcpTeardownNode copy(TcpTeardownNode node) {
    TcpTeardownNode copy = new TcpTeardownNode();
    copy.setMetadata(metadata(node.getMetadata()));
    copy.setSpec(node.getSpec());
    copy.setStatus(node.getStatus());
    return copy;
  }

  private static Node copy(Node node) {
    Node copy =
        new Node(node.getApiVersion(), node.getKind(), metadata(node.getMetadata()), null, null);
    copy.setSpec(node.getSpec());
    copy.setStatus(node.getStatus());
    return copy;
  }

  private static ObjectMeta metadata(ObjectMeta metadata) {
    return metadata == null ? null : new ObjectMetaBuilder(metadata).build();
  }
}
