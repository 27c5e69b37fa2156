package io.tcpteardown.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One watch of TcpTeardownNodes for both controllers: the node-settings controller's informer (its
 * dependent's) hands every add, update and delete here, which updates the profile-status index and
 * then reconciles the profiles that selected the node before or select it now. Every agent report
 * is such an update, and deserializing each report once instead of once per controller halved that
 * part of the operator's CPU.
 */
public final class NodeObjectFeed {
  static final String EVENT_SOURCE = "tcpteardownnodes";

  private final ProfileStatusIndex index;
  private final SimpleInboundEventSource<TcpTeardownProfile> profiles =
      new SimpleInboundEventSource<>(EVENT_SOURCE);

  public NodeObjectFeed(ProfileStatusIndex index) {
    this.index = index;
  }

  ProfileStatusIndex index() {
    return index;
  }

  /** The profile-status controller's event source of these reconciliations. */
  SimpleInboundEventSource<TcpTeardownProfile> eventSource() {
    return profiles;
  }

  /** Added ({@code previous} null) or updated; {@code previous} is the informer's stored copy. */
  void put(TcpTeardownNode previous, TcpTeardownNode object) {
    index.putObject(object.getMetadata().getName(), object.getStatus());
    reconcile(previous, object);
  }

  void remove(TcpTeardownNode object) {
    index.removeObject(object.getMetadata().getName());
    reconcile(null, object);
  }

  private void reconcile(TcpTeardownNode previous, TcpTeardownNode object) {
    Set<String> names = new TreeSet<>(profilesOf(object));
    names.addAll(profilesOf(previous));
    // Before the profile-status controller starts, events are dropped: it then reconciles every
    // profile from the index, which is already up to date.
    names.forEach(name -> profiles.propagateEvent(new ResourceID(name, null)));
  }

  private static List<String> profilesOf(TcpTeardownNode object) {
    if (object == null || object.getSpec() == null || object.getSpec().profiles() == null) {
      return List.of();
    }
    return object.getSpec().profiles().stream().filter(p -> p != null && !p.isEmpty()).toList();
  }
}
