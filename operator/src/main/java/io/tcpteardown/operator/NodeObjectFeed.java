package io.tcpteardown.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import java.util.Set;

/**
 * One watch of TcpTeardownNodes for both controllers: the node-settings controller's informer (its
 * dependent's) hands every add, update and delete here, which updates the profile-status index and
 * then reconciles the profiles it says changed. Every agent report is such an update, and
 * deserializing each report once instead of once per controller halved that part of the operator's
 * CPU.
 */
public final class NodeObjectFeed {
  static final String EVENT_SOURCE = "tcpteardownnodes";

  private final ProfileStatusIndex index;
  private final AgentReports agentReports;
  private final SimpleInboundEventSource<TcpTeardownProfile> profiles =
      new SimpleInboundEventSource<>(EVENT_SOURCE);

  public NodeObjectFeed(ProfileStatusIndex index, AgentReports agentReports) {
    this.index = index;
    this.agentReports = agentReports;
  }

  ProfileStatusIndex index() {
    return index;
  }

  /** The profile-status controller's event source of these reconciliations. */
  SimpleInboundEventSource<TcpTeardownProfile> eventSource() {
    return profiles;
  }

  /**
   * Added ({@code previous} null) or updated. Only the profiles whose written-at-once part may have
   * changed ({@link ProfileStatusIndex#urgentVersion}) are reconciled now: for the others only
   * counts changed, which their reconciler writes when its status interval ends, and an event per
   * report would only reschedule that.
   */
  void put(TcpTeardownNode previous, TcpTeardownNode object) {
    agentReports.seen(object);
    reconcile(index.putObject(object.getMetadata().getName(), object.getStatus()));
  }

  void remove(TcpTeardownNode object) {
    agentReports.forget(object);
    reconcile(index.removeObject(object.getMetadata().getName()));
  }

  private void reconcile(Set<String> names) {
    // Before the profile-status controller starts, events are dropped: it then reconciles every
    // profile from the index, which is already up to date.
    names.forEach(name -> profiles.propagateEvent(new ResourceID(name, null)));
  }
}
