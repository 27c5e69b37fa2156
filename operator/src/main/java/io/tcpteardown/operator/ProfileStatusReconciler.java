package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.rules.NodeFacts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Reports each profile's status: acceptance, selection, per-node applied state and counts,
 * conflicts, held-back settings and teardown pressure. Status is patched only when it changes.
 */
// Generation-aware (JOSDK's default, spelled out): an update of the profile itself reconciles it
// only
// when its metadata.generation rose, so this controller's own status writes do not come back.
@ControllerConfiguration(name = ProfileStatusReconciler.NAME, generationAwareEventProcessing = true)
public class ProfileStatusReconciler implements Reconciler<TcpTeardownProfile> {
  public static final String NAME = "profile-status";
  private static final String NODES = "nodes";
  private static final String OTHER_PROFILES = "other-profiles";

  private final ProfileStatusIndex index;
  private final NodeObjectFeed feed;
  private final ProfileEvents events;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final StatusWritePolicy writePolicy;
  private final Map<String, Written> lastWrites = new ConcurrentHashMap<>();

  /** What this operator last wrote of a profile's status, and when. */
  private record Written(Instant at, long urgentVersion, UrgentStatus urgent) {}

  /**
   * @param feed the TcpTeardownNode events of the node-settings controller's informer, which must
   *     be registered with the same operator
   */
  public ProfileStatusReconciler(
      NodeObjectFeed feed,
      ProfileEvents events,
      OperatorMetrics metrics,
      Clock clock,
      StatusWritePolicy writePolicy) {
    this.feed = feed;
    this.index = feed.index();
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.writePolicy = writePolicy;
  }

  @Override
  public List<EventSource<?, TcpTeardownProfile>> prepareEventSources(
      EventSourceContext<TcpTeardownProfile> context) {
    var nodes =
        new IndexedInformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, TcpTeardownProfile.class)
                .withName(NODES)
                .withItemStore(new SlimNodeStore())
                .withInformerListLimit(NodeSettingsReconciler.LIST_LIMIT)
                .withOnUpdateFilter(new NodeFactsChanged())
                .withSecondaryToPrimaryMapper(node -> allProfiles(context))
                .build(),
            context,
            (before, node) -> index.putNode(NodeFacts.of(node)),
            node -> index.removeNode(node.getMetadata().getName()));
    // A change to one profile can change another's Conflict condition or applied state.
    var otherProfiles =
        new IndexedInformerEventSource<>(
            InformerEventSourceConfiguration.from(
                    TcpTeardownProfile.class, TcpTeardownProfile.class)
                .withName(OTHER_PROFILES)
                .withOnUpdateFilter(new ProfileSpecChanged())
                .withSecondaryToPrimaryMapper(profile -> allProfiles(context))
                .build(),
            context,
            (before, profile) -> index.putProfile(profile),
            profile -> index.removeProfile(profile.getMetadata().getName()));
    return List.of(nodes, feed.eventSource(), otherProfiles);
  }

  private static Set<ResourceID> allProfiles(EventSourceContext<TcpTeardownProfile> context) {
    return context
        .getPrimaryCache()
        .list()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<TcpTeardownProfile> reconcile(
      TcpTeardownProfile profile, Context<TcpTeardownProfile> context) {
    List<TcpTeardownProfile> profiles = context.getPrimaryCache().list().toList();
    TcpTeardownProfileStatus previous = profile.getStatus();
    Instant now = clock.instant();
    String name = profile.getMetadata().getName();
    Set<String> names =
        profiles.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    lastWrites.keySet().retainAll(names);
    metrics.retainOnly(names);
    Written written = lastWrites.get(name);
    if (written != null
        && previous != null
        && written.urgentVersion() == index.urgentVersion(name)
        && written.urgent().equals(UrgentStatus.of(previous))) {
      // Since the last write only counts and messages can have changed: not even assembled
      // before the interval ends.
      Instant due = written.at().plus(writePolicy.interval());
      if (now.isBefore(due)) {
        return UpdateControl.<TcpTeardownProfile>noUpdate()
            .rescheduleAfter(Duration.between(now, due));
      }
    }
    Optional<ProfileStatusIndex.Snapshot> computed = index.snapshot(name, previous, now);
    if (computed.isEmpty()) {
      // Not yet delivered by the profiles' own informer: its event reconciles this profile again.
      return UpdateControl.noUpdate();
    }
    TcpTeardownProfileStatus next = computed.get().status();
    metrics.record(name, next);
    StatusWritePolicy.Decision decision =
        writePolicy.decide(previous, next, written == null ? null : written.at(), now);
    if (!decision.write()) {
      return UpdateControl.<TcpTeardownProfile>noUpdate()
          .rescheduleAfter(
              decision.retryAfter() == null ? writePolicy.interval() : decision.retryAfter());
    }
    events.onStatusChange(profile, previous, next);
    lastWrites.put(name, new Written(now, computed.get().urgentVersion(), UrgentStatus.of(next)));
    TcpTeardownProfile patch = new TcpTeardownProfile();
    patch.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(profile.getMetadata().getName())
            .build());
    patch.setStatus(next);
    // Optimistically locked on the profile as read (the utility sets its resourceVersion on the
    // patch), and the answer kept in the primary cache: the next reconcile reads this write rather
    // than the informer's older copy. Returned as a patchStatus instead, the write was not cached,
    // the next one could be refused as stale (409), and JOSDK retried that 2 s later, with Applied
    // or Conflict held back meanwhile. A refusal because the profile changed meanwhile is retried
    // at once on the newer profile.
    try {
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(profile, patch, context);
    } catch (KubernetesClientException e) {
      if (!duplicateConditionTypes(e)) {
        throw e;
      }
      replaceStatus(profile, next, context);
    }
    // Reports whose counts change nothing else do not reconcile a profile (NodeObjectFeed): every
    // profile is reconciled at least once per interval, so that such counts are written then.
    return UpdateControl.<TcpTeardownProfile>noUpdate().rescheduleAfter(writePolicy.interval());
  }

  /**
   * Whether a server-side apply of the status was refused because the stored status holds two
   * conditions of one type: the CRD keys conditions by type, but a 1.20-era API server admits such
   * a list through a JSON patch of the status (anyone allowed to write it) and then refuses every
   * apply ("duplicate entries for key").
   */
  static boolean duplicateConditionTypes(KubernetesClientException e) {
    return e.getCode() == 500
        && e.getMessage() != null
        && e.getMessage().contains("duplicate entries for key");
  }

  /**
   * Writes the whole status with one JSON patch of the status subresource, which the server takes
   * whatever list it stores, so that the next server-side applies work again.
   */
  private static void replaceStatus(
      TcpTeardownProfile profile,
      TcpTeardownProfileStatus status,
      Context<TcpTeardownProfile> context) {
    KubernetesClient client = context.getClient();
    TcpTeardownProfile named = new TcpTeardownProfile();
    named.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(profile.getMetadata().getName())
            .build());
    client
        .resources(TcpTeardownProfile.class)
        .resource(named)
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.JSON)
                .withFieldManager(context.getControllerConfiguration().fieldManager())
                .build(),
            "[{\"op\":\"add\",\"path\":\"/status\",\"value\":"
                + client.getKubernetesSerialization().asJson(status)
                + "}]");
  }
}
