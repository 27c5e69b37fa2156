package io.tcpteardown.operator;

import io.tcpteardown.api.NodePodRule;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.rules.NodeResolution;
import io.tcpteardown.rules.Resolver;
import io.tcpteardown.rules.Violation;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every profile's status, kept up to date one event at a time: each node's resolution over the
 * accepted profiles and its contribution to each profile that selects it are kept, and only what an
 * event touches is computed again. A TcpTeardownNode report recomputes that node's contributions
 * (no resolution); a Node whose labels or memory changed is resolved again; only a profile change
 * resolves every node. A profile's status is then assembled from its nodes' contributions, as the
 * full recomputation of the tests assembles it from everything.
 *
 * <p>Thread-safe: informers feed it while reconcilers read it.
 */
public final class ProfileStatusIndex {
  private record ProfileEntry(TcpTeardownProfile profile, List<Violation> violations) {
    boolean accepted() {
      return violations.isEmpty();
    }

    Optional<NodePodRule> podRule() {
      return accepted() ? Resolver.podRule(profile) : Optional.empty();
    }

    TeardownSettings sets() {
      return profile.getSpec() == null ? null : profile.getSpec().settings();
    }
  }

  private final PressureTracker tracker;
  private final Map<String, ProfileEntry> profiles = new HashMap<>();
  private final Map<String, NodeFacts> nodes = new HashMap<>();
  // Present key: the node has a TcpTeardownNode; its value is that object's status (may be null).
  private final Map<String, io.tcpteardown.api.TcpTeardownNodeStatus> objects = new HashMap<>();
  private final Map<String, NodeResolution> resolutions = new HashMap<>();
  private final Map<String, Boolean> rising = new HashMap<>();
  private final Map<String, TreeMap<String, NodeContribution>> contributions = new HashMap<>();
  // The other way round: per node, the profiles holding a contribution of it (selecting it).
  private final Map<String, Set<String>> selectedBy = new HashMap<>();
  private final Map<String, Long> urgentVersions = new HashMap<>();
  // Per profile: the counts over its nodes and the written-at-once part decided from them. A node
  // entering or leaving pressure (TIME_WAIT around 90% flaps on every report) changes that part
  // only when it is the first or the last; a node turning applied only when it is the last.
  private final Map<String, ProfileTally> tallies = new HashMap<>();
  private final Map<String, UrgentStatus> urgentParts = new HashMap<>();
  private long lastVersion;
  private List<TcpTeardownProfile> accepted = List.of();

  private final AgentSilence silence;

  private final ProfileValidations validations;

  /**
   * @param validations the operator's validation cache
   */
  public ProfileStatusIndex(
      PressureTracker tracker, AgentSilence silence, ProfileValidations validations) {
    this.silence = silence;
    this.tracker = tracker;
    this.validations = validations;
  }

  /** A profile was added or updated; a status-only update changes nothing here. */
  public synchronized void putProfile(TcpTeardownProfile profile) {
    String name = profile.getMetadata().getName();
    ProfileEntry before = profiles.get(name);
    if (before != null && sameSpec(before.profile(), profile)) {
      profiles.put(name, new ProfileEntry(profile, before.violations()));
      return;
    }
    ProfileEntry entry = new ProfileEntry(profile, validations.of(profile));
    profiles.put(name, entry);
    resolveEveryNode();
    urgentParts.put(name, urgentOf(entry, tallies.getOrDefault(name, ProfileTally.NONE)));
    bump(name);
  }

  public synchronized void removeProfile(String name) {
    if (profiles.remove(name) == null) {
      return;
    }
    contributions.remove(name);
    selectedBy.values().forEach(p -> p.remove(name));
    selectedBy.values().removeIf(Set::isEmpty);
    urgentVersions.remove(name);
    tallies.remove(name);
    urgentParts.remove(name);
    resolveEveryNode();
  }

  /** A Node was added or its labels or memory changed. */
  public synchronized void putNode(NodeFacts node) {
    if (node.equals(nodes.get(node.name()))) {
      return;
    }
    nodes.put(node.name(), node);
    refreshNode(node.name(), true);
  }

  public synchronized void removeNode(String name) {
    nodes.remove(name);
    refreshNode(name, true);
  }

  /**
   * A TcpTeardownNode was added or updated (its agent reported, or its spec changed); only what the
   * status reads of it is kept ({@link NodeObjectStatusView}).
   *
   * @return the profiles whose {@link #urgentVersion} changed
   */
  public synchronized Set<String> putObject(
      String name, io.tcpteardown.api.TcpTeardownNodeStatus status) {
    objects.put(name, NodeObjectStatusView.of(status));
    return refreshNode(name, false);
  }

  /**
   * @return the profiles whose {@link #urgentVersion} changed
   */
  public synchronized Set<String> removeObject(String name) {
    objects.remove(name);
    return refreshNode(name, false);
  }

  /**
   * The profile's status now, the transition times carried from {@code previous}; empty when the
   * profile is not (yet) known here.
   */
  public synchronized Optional<TcpTeardownProfileStatus> status(
      String profile, TcpTeardownProfileStatus previous, Instant now) {
    ProfileEntry entry = profiles.get(profile);
    if (entry == null) {
      return Optional.empty();
    }
    return Optional.of(
        ProfileStatusAssembler.assemble(
            entry.profile(),
            previous,
            entry.violations(),
            contributions.getOrDefault(profile, new TreeMap<>()).values(),
            silence,
            now));
  }

  /**
   * The written-at-once part of the profile's status ({@link UrgentStatus}) as the index decides it
   * from its counts, leaving out agents gone silent (which come with time, not with an event, and
   * are seen at the status interval); empty when the profile is not known here. It equals the part
   * of the {@link #status} assembled now while no agent is silent.
   */
  public synchronized Optional<UrgentStatus> urgent(String profile) {
    return Optional.ofNullable(urgentParts.get(profile));
  }

  /**
   * A number that changes whenever the profile itself changes or its {@link #urgent} part does.
   * While it stays the same, only counts and messages can have changed.
   */
  public synchronized long urgentVersion(String profile) {
    return urgentVersions.getOrDefault(profile, 0L);
  }

  /** The profile's status and the {@link #urgentVersion} it was assembled at. */
  public record Snapshot(TcpTeardownProfileStatus status, long urgentVersion) {}

  public synchronized Optional<Snapshot> snapshot(
      String profile, TcpTeardownProfileStatus previous, Instant now) {
    return status(profile, previous, now).map(s -> new Snapshot(s, urgentVersion(profile)));
  }

  private void bump(String profile) {
    // One counter for all profiles: a profile deleted and created again never repeats a version.
    urgentVersions.put(profile, ++lastVersion);
  }

  private UrgentStatus urgentOf(ProfileEntry entry, ProfileTally tally) {
    return ProfileStatusAssembler.urgent(
        new ProfileVerdictFacts(
            entry.profile().getMetadata().getGeneration(),
            entry.violations(),
            entry.podRule(),
            tally));
  }

  private static boolean sameSpec(TcpTeardownProfile a, TcpTeardownProfile b) {
    return Objects.equals(a.getMetadata().getGeneration(), b.getMetadata().getGeneration())
        && a.getMetadata().getGeneration() != null
        && Objects.equals(a.getSpec(), b.getSpec())
        && Objects.equals(
            a.getMetadata().getDeletionTimestamp(), b.getMetadata().getDeletionTimestamp());
  }

  private void resolveEveryNode() {
    accepted =
        profiles.values().stream()
            .filter(ProfileEntry::accepted)
            .map(ProfileEntry::profile)
            .toList();
    for (String node : nodes.keySet()) {
      refreshNode(node, true);
    }
  }

  private Set<String> refreshNode(String name, boolean resolve) {
    NodeFacts facts = nodes.get(name);
    if (facts != null && objects.containsKey(name)) {
      rising.put(name, tracker.countersRising(name, objects.get(name)));
    } else {
      tracker.forget(name);
      rising.remove(name);
    }
    if (facts == null) {
      resolutions.remove(name);
    } else if (resolve || !resolutions.containsKey(name)) {
      resolutions.put(name, Resolver.resolveAccepted(facts, accepted));
    }
    Set<String> bumped = new TreeSet<>();
    // A report changes neither the node's labels nor a profile: the profiles that selected the node
    // at its last resolution (those holding a contribution of it) still select it, and only they
    // can see a different contribution. Every report takes this path, so it looks them up by node.
    boolean reselect = resolve || facts == null;
    Collection<ProfileEntry> entries =
        reselect
            ? profiles.values()
            : selectedBy.getOrDefault(name, Set.of()).stream().map(profiles::get).toList();
    for (ProfileEntry entry : entries) {
      String profile = entry.profile().getMetadata().getName();
      TreeMap<String, NodeContribution> byNode =
          contributions.computeIfAbsent(profile, p -> new TreeMap<>());
      NodeContribution before;
      NodeContribution after = null;
      if (facts == null || (reselect && !Resolver.selects(entry.profile(), facts))) {
        before = byNode.remove(name);
        Set<String> selecting = selectedBy.get(name);
        if (selecting != null && selecting.remove(profile) && selecting.isEmpty()) {
          selectedBy.remove(name);
        }
      } else {
        after =
            NodeContribution.of(
                profile,
                entry.podRule().isPresent(),
                entry.sets(),
                name,
                entry.accepted() ? resolutions.get(name) : null,
                objects.get(name),
                rising.getOrDefault(name, false));
        before = byNode.put(name, after);
        selectedBy.computeIfAbsent(name, n -> new java.util.HashSet<>()).add(profile);
      }
      ProfileTally tallyBefore = tallies.getOrDefault(profile, ProfileTally.NONE);
      ProfileTally tally = tallyBefore.minus(before).plus(after);
      if (tally.equals(tallyBefore)) {
        continue;
      }
      tallies.put(profile, tally);
      UrgentStatus urgent = urgentOf(entry, tally);
      if (!urgent.equals(urgentParts.put(profile, urgent))) {
        bump(profile);
        bumped.add(profile);
      }
    }
    return bumped;
  }
}
