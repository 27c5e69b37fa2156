package io.tcpteardown.rules;

import io.tcpteardown.api.HeldBackSetting;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodePodRule;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TeardownSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns profiles into per-node settings: every accepted profile whose selector matches a node
 * contributes its set fields; per field the highest priority wins, and at equal priority the
 * profile whose name sorts first. A profile with any safety violation contributes nothing anywhere.
 */
public final class Resolver {
  private static final Comparator<TcpTeardownProfile> PRECEDENCE =
      Comparator.comparingInt((TcpTeardownProfile p) -> -p.getSpec().effectivePriority())
          .thenComparing(p -> p.getMetadata().getName());

  private Resolver() {}

  private static boolean named(TcpTeardownProfile p) {
    return p != null && p.getMetadata() != null && p.getMetadata().getName() != null;
  }

  /** Whether the profile passes the one validation path (schema, CEL rules, safety rules). */
  public static boolean accepted(TcpTeardownProfile profile) {
    return profile.getSpec() != null && ProfileValidation.validate(profile).isEmpty();
  }

  /** Whether the profile's selector matches the node; total, whatever the profile holds. */
  public static boolean selects(TcpTeardownProfile profile, NodeFacts node) {
    TcpTeardownProfileSpec spec = profile.getSpec();
    return spec != null && LabelSelectors.matches(spec.nodeSelector(), node.labels());
  }

  public static NodeResolution resolve(NodeFacts node, Collection<TcpTeardownProfile> profiles) {
    return resolveAccepted(
        node,
        profiles.stream()
            .filter(Resolver::named)
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(Resolver::accepted)
            .toList());
  }

  /**
   * {@link #resolve} for profiles the caller has already found {@link #accepted}: validating every
   * profile again for every node is most of what resolving thousands of nodes costs.
   */
  public static NodeResolution resolveAccepted(
      NodeFacts node, Collection<TcpTeardownProfile> accepted) {
    List<TcpTeardownProfile> selecting =
        accepted.stream()
            .filter(Resolver::named)
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(p -> selects(p, node))
            .sorted(PRECEDENCE)
            .toList();
    // Bounded, so that the node's spec stays under etcd's limit: the first in precedence win.
    List<TcpTeardownProfile> contributing =
        selecting.subList(0, Math.min(selecting.size(), TcpTeardownNodeSpec.MAX_PROFILES));

    TeardownSettings settings = TeardownSettings.NONE;
    Map<String, String> sources = new TreeMap<>();
    List<HeldBackSetting> heldBack = new ArrayList<>();
    List<NodeResolution.FieldConflict> conflicts = new ArrayList<>();
    List<NodePodRule> inPrecedence =
        contributing.stream().map(Resolver::podRule).flatMap(java.util.Optional::stream).toList();
    int kept = Math.min(inPrecedence.size(), TcpTeardownNodeSpec.MAX_POD_RULES);

    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      TcpTeardownProfile winner = null;
      for (TcpTeardownProfile profile : contributing) {
        TeardownSettings offered = profile.getSpec().settings();
        Object value = offered.fieldValue(sysctl);
        if (value == null) {
          continue;
        }
        if (sysctl == ManagedSysctl.MAX_ORPHANS) {
          var reason = SafetyRules.orphanMemoryHoldBack(offered.maxOrphans(), node.memoryBytes());
          if (reason.isPresent()) {
            heldBack.add(
                new HeldBackSetting(sysctl.field(), profile.getMetadata().getName(), reason.get()));
            continue;
          }
        }
        if (sysctl == ManagedSysctl.CHILD_EHASH_ENTRIES) {
          var reason = childEhashHoldBack(offered.childEhashEntries(), node, inPrecedence, kept);
          if (reason.isPresent()) {
            heldBack.add(
                new HeldBackSetting(sysctl.field(), profile.getMetadata().getName(), reason.get()));
            continue;
          }
        }
        if (winner == null) {
          winner = profile;
          settings = settings.with(sysctl, value);
          sources.put(sysctl.field(), profile.getMetadata().getName());
        } else if (winner.getSpec().effectivePriority() == profile.getSpec().effectivePriority()
            && !Objects.equals(winner.getSpec().settings().fieldValue(sysctl), value)) {
          conflicts.add(
              new NodeResolution.FieldConflict(
                  sysctl.field(), winner.getMetadata().getName(), profile.getMetadata().getName()));
        }
      }
    }
    List<String> names =
        contributing.stream().map(p -> p.getMetadata().getName()).sorted().toList();
    for (NodePodRule later : inPrecedence.subList(kept, inPrecedence.size())) {
      heldBack.add(
          new HeldBackSetting(
              "pods",
              later.profile(),
              "more than "
                  + TcpTeardownNodeSpec.MAX_POD_RULES
                  + " profiles with pod rules select this node, and the pod rules of this one come"
                  + " after them in precedence (priority, then name): they are not applied here."
                  + " Merge profiles, or narrow the nodeSelector of some."));
    }
    List<NodePodRule> podRules =
        inPrecedence.subList(0, kept).stream()
            .sorted(Comparator.comparing(NodePodRule::profile))
            .toList();
    for (TcpTeardownProfile later : selecting.subList(contributing.size(), selecting.size())) {
      heldBack.add(
          new HeldBackSetting(
              "profile",
              later.getMetadata().getName(),
              "more than "
                  + TcpTeardownNodeSpec.MAX_PROFILES
                  + " profiles select this node, and this one comes after them in precedence"
                  + " (priority, then name): nothing of it is applied here. Merge profiles, or"
                  + " narrow the nodeSelector of some."));
    }
    List<HeldBackSetting> bounded =
        heldBack.subList(0, Math.min(heldBack.size(), TcpTeardownNodeSpec.MAX_HELD_BACK));
    return new NodeResolution(
        node.name(), settings, sources, names, List.copyOf(bounded), conflicts, podRules);
  }

  /**
   * Why a childEhashEntries is held back on the node: the own tables of its maximum pods do not fit
   * its memory, or a pod rule applied there sets a maxTwBuckets above half of it.
   */
  private static java.util.Optional<String> childEhashHoldBack(
      Integer entries, NodeFacts node, List<NodePodRule> podRules, int kept) {
    var memory = SafetyRules.childEhashMemoryHoldBack(entries, node.memoryBytes(), node.maxPods());
    if (memory.isPresent()) {
      return memory;
    }
    return podRules.subList(0, kept).stream()
        .map(r -> SafetyRules.childEhashTwHoldBack(entries, r.profile(), r.maxTwBuckets()))
        .flatMap(java.util.Optional::stream)
        .findFirst();
  }

  /**
   * The profile's pod rule, as the node's spec carries it: empty without spec.pods or without a
   * per-namespace field (maxOrphans is node-wide and never a pod's).
   */
  public static java.util.Optional<NodePodRule> podRule(TcpTeardownProfile profile) {
    TcpTeardownProfileSpec spec = profile.getSpec();
    if (spec.pods() == null) {
      return java.util.Optional.empty();
    }
    TeardownSettings s = spec.settings();
    NodePodRule rule =
        new NodePodRule(
            profile.getMetadata().getName(),
            spec.effectivePriority(),
            spec.pods().namespaceSelector(),
            spec.pods().podSelector(),
            spec.pods().effectiveMode(),
            s.orphanRetries(),
            s.finTimeoutSeconds(),
            s.maxTwBuckets(),
            s.twReuse(),
            s.timestamps());
    return rule.settings().isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(rule);
  }
}
