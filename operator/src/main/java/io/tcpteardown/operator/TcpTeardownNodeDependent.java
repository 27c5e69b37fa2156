package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.rules.NodeResolution;
import io.tcpteardown.rules.Resolver;
import java.util.Objects;

/**
 * The desired TcpTeardownNode of a node: named after it, owned by it, spec resolved from the
 * profiles. Its informer is the node-settings controller's {@link NodeObjectFeed#EVENT_SOURCE}.
 * Made by {@link NodeDependentFactory}, which gives it the operator's instances.
 */
public class TcpTeardownNodeDependent
    extends CRUDKubernetesDependentResource<TcpTeardownNode, Node> {
  private final ProfileValidations validations;
  private final Runnable specWritten;

  /**
   * @param validations the operator's validation cache
   * @param specWritten told of every spec write the API server accepted (the operator's metrics)
   */
  TcpTeardownNodeDependent(ProfileValidations validations, Runnable specWritten) {
    super(TcpTeardownNode.class);
    this.validations = validations;
    this.specWritten = specWritten;
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
        Resolver.resolveAccepted(
            NodeFacts.of(node), validations.accepted(profiles.list().toList()));
    TcpTeardownNode desired = new TcpTeardownNode();
    desired.setMetadata(new ObjectMetaBuilder().withName(node.getMetadata().getName()).build());
    desired.setSpec(resolution.toSpec());
    return desired;
  }

  /**
   * A server-side apply, as the SDK's, whose response carries the metadata only: the SDK keeps the
   * returned object until its informer catches up, and this informer keeps no status anyway.
   */
  @Override
  public TcpTeardownNode update(
      TcpTeardownNode actual, TcpTeardownNode desired, Node primary, Context<Node> context) {
    addMetadata(false, actual, desired, primary, context);
    TcpTeardownNode applied =
        MetadataOnlyApply.apply(
            context.getClient(), desired, context.getControllerConfiguration().fieldManager());
    specWritten.run();
    return applied;
  }

  @Override
  public TcpTeardownNode create(TcpTeardownNode desired, Node primary, Context<Node> context) {
    TcpTeardownNode created = super.create(desired, primary, context);
    specWritten.run();
    return created;
  }

  /**
   * The operator is the only writer of the spec and writes all of it: a stored spec equal to the
   * desired one, on an object this Node owns, needs no write; anything else is written with
   * server-side apply. A record comparison, where the generic server-side-apply matcher renders
   * both objects to maps for every Node at every profile change.
   */
  @Override
  public Result<TcpTeardownNode> match(
      TcpTeardownNode actual, TcpTeardownNode desired, Node primary, Context<Node> context) {
    boolean owned =
        actual.getMetadata().getOwnerReferences() != null
            && actual.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> Objects.equals(o.getUid(), primary.getMetadata().getUid()));
    return Result.computed(owned && Objects.equals(actual.getSpec(), desired.getSpec()), desired);
  }
}
