package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps one TcpTeardownNode per Node whose spec holds the settings resolved for it. Any profile
 * change re-resolves every node; a node's label or capacity change re-resolves that node.
 */
@ControllerConfiguration(
    name = NodeSettingsReconciler.NAME,
    informer =
        @Informer(
            itemStore = SlimNodeStore.class,
            onUpdateFilter = NodeFactsChanged.class,
            informerListLimit = NodeSettingsReconciler.LIST_LIMIT))
@Workflow(
    dependents =
        @Dependent(
            type = TcpTeardownNodeDependent.class,
            useEventSourceWithName = NodeObjectFeed.EVENT_SOURCE))
public class NodeSettingsReconciler implements Reconciler<Node> {
  public static final String NAME = "node-settings";
  static final String PROFILES = "profiles";

  /**
   * Nodes and TcpTeardownNodes are listed in pages (at start and whenever a watch must start over):
   * 5,000 TcpTeardownNodes with their agents' statuses weigh about 55 MB, more than a busy API
   * server sends within the client's 10 s request timeout, and an informer whose list keeps timing
   * out never sees another change (seen with an unpaged informer at 5,000 nodes).
   */
  static final long LIST_LIMIT = 500;

  private final NodeObjectFeed feed;

  /**
   * @param feed where every TcpTeardownNode event of this controller's informer goes on to (the
   *     profile-status controller)
   */
  public NodeSettingsReconciler(NodeObjectFeed feed) {
    this.feed = feed;
  }

  @Override
  public List<EventSource<?, Node>> prepareEventSources(EventSourceContext<Node> context) {
    var profiles =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(TcpTeardownProfile.class, Node.class)
                .withName(PROFILES)
                .withOnUpdateFilter(new ProfileSpecChanged())
                .withSecondaryToPrimaryMapper(profile -> allNodes(context))
                .build(),
            context);
    // The dependent's informer, defined here to feed the profile status too. It keeps no status and
    // reconciles a node only when its TcpTeardownNode's spec may have changed, not on agent
    // reports.
    var objects =
        new IndexedInformerEventSource<>(
            InformerEventSourceConfiguration.from(TcpTeardownNode.class, Node.class)
                .withName(NodeObjectFeed.EVENT_SOURCE)
                .withItemStore(new NodeObjectStores.WithoutStatus())
                .withInformerListLimit(LIST_LIMIT)
                .withOnUpdateFilter(new NodeObjectSpecChanged())
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Node.class, true))
                .build(),
            context,
            feed::put,
            feed::remove);
    return List.of(profiles, objects);
  }

  private static Set<ResourceID> allNodes(EventSourceContext<Node> context) {
    return context
        .getPrimaryCache()
        .list()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<Node> reconcile(Node node, Context<Node> context) {
    return UpdateControl.noUpdate();
  }
}
