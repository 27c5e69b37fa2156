package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.rules.NodeResolution;
import io.tcpteardown.rules.Resolver;

/**
 * The desired TcpTeardownNode of a node: named after it, owned by it, spec resolved from the
 * profiles. Its informer keeps no status and ignores status updates (agent reports).
 */
@KubernetesDependent(
    informer =
        @Informer(
            itemStore = NodeObjectStores.WithoutStatus.class,
            onUpdateFilter = NodeObjectSpecChanged.class))
public class TcpTeardownNodeDependent
    extends CRUDKubernetesDependentResource<TcpTeardownNode, Node> {
  // Shared by the dependents of every operator in this JVM: an entry names one stored content.
  private static final AcceptedProfiles ACCEPTED = new AcceptedProfiles();

  public TcpTeardownNodeDependent() {
    super(TcpTeardownNode.class);
  }

  @Override
  @SuppressWarnings("unchecked")
  protected TcpTeardownNode desired(Node node, Context<Node> context) {
    var profiles =
        (InformerEventSource<TcpTeardownProfile, Node>)
            context
                .eventSourceRetriever()
                .getEventSourceFor(TcpTeardownProfile.class, NodeSettingsReconciler.PROFILES);
    NodeResolution resolution =
        Resolver.resolveAccepted(NodeFacts.of(node), ACCEPTED.of(profiles.list().toList()));
    TcpTeardownNode desired = new TcpTeardownNode();
    desired.setMetadata(new ObjectMetaBuilder().withName(node.getMetadata().getName()).build());
    desired.setSpec(resolution.toSpec());
    return desired;
  }
}
