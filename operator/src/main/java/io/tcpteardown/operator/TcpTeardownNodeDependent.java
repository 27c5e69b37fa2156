package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.rules.NodeResolution;
import io.tcpteardown.rules.Resolver;

/**
 * The desired TcpTeardownNode of a node: named after it, owned by it, spec resolved from the
 * profiles.
 */
public class TcpTeardownNodeDependent
    extends CRUDKubernetesDependentResource<TcpTeardownNode, Node> {

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
    NodeResolution resolution = Resolver.resolve(NodeFacts.of(node), profiles.list().toList());
    TcpTeardownNode desired = new TcpTeardownNode();
    desired.setMetadata(new ObjectMetaBuilder().withName(node.getMetadata().getName()).build());
    desired.setSpec(resolution.toSpec());
    return desired;
  }
}
