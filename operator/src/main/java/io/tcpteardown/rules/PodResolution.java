package io.tcpteardown.rules;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Resolves the pod rules of a node against its pods, per pod and field as for nodes: the highest
 * priority wins, at equal priority the profile whose name sorts first, and a clash of different
 * values at equal priority is a conflict. {@code maxOrphans} is node-wide and never a pod's. A
 * field the pod sets itself in {@code securityContext.sysctls} is left to the pod. A field won by a
 * rule in ReportOnly mode is reported, never written.
 */
public final class PodResolution {
  private static final Comparator<PodRule> PRECEDENCE =
      Comparator.comparingInt((PodRule r) -> -r.priority()).thenComparing(PodRule::profile);

  private PodResolution() {}

  /**
   * What one pod gets.
   *
   * @param apply the fields to write into the pod's namespace
   * @param reportOnly the fields a ReportOnly rule won: what would be written
   * @param sources field name to the winning profile, for both
   * @param leftToPod field name to the profile that would have set it, for fields the pod sets
   *     itself
   */
  public record PodDecision(
      PodFacts pod,
      TeardownSettings apply,
      TeardownSettings reportOnly,
      Map<String, String> sources,
      Map<String, String> leftToPod) {
    public PodDecision {
      sources = Map.copyOf(sources);
      leftToPod = Map.copyOf(leftToPod);
    }

    /** Whether any rule selected this pod for any field. */
    public boolean matched() {
      return !sources.isEmpty() || !leftToPod.isEmpty();
    }
  }

  /** Equal-priority profiles that set one field of the same pods to different values. */
  public record PodConflict(List<String> profiles, String field, List<String> pods) {
    public PodConflict {
      profiles = List.copyOf(profiles);
      pods = List.copyOf(pods);
    }
  }

  /** Every pod's decision (in the order given) and the conflicts, grouped by profiles and field. */
  public record Result(List<PodDecision> decisions, List<PodConflict> conflicts) {
    public Result {
      decisions = List.copyOf(decisions);
      conflicts = List.copyOf(conflicts);
    }
  }

  public static Result resolve(Collection<PodRule> rules, Collection<PodFacts> pods) {
    List<PodRule> ordered =
        rules.stream()
            .filter(r -> r != null && r.profile() != null && r.settings() != null)
            .sorted(PRECEDENCE)
            .toList();
    List<PodDecision> decisions = new ArrayList<>();
    Map<List<String>, Map<String, TreeSet<String>>> clashes = new TreeMap<>(PodResolution::compare);
    for (PodFacts pod : pods) {
      List<PodRule> selecting = ordered.stream().filter(r -> r.selects(pod)).toList();
      TeardownSettings apply = TeardownSettings.NONE;
      TeardownSettings reportOnly = TeardownSettings.NONE;
      Map<String, String> sources = new TreeMap<>();
      Map<String, String> leftToPod = new TreeMap<>();
      for (ManagedSysctl sysctl : ManagedSysctl.values()) {
        if (sysctl.scope() != ManagedSysctl.Scope.NETWORK_NAMESPACE) {
          continue;
        }
        PodRule winner = null;
        for (PodRule rule : selecting) {
          Object value = rule.settings().fieldValue(sysctl);
          if (value == null) {
            continue;
          }
          if (winner == null) {
            winner = rule;
          } else if (winner.priority() == rule.priority()
              && !Objects.equals(winner.settings().fieldValue(sysctl), value)
              && !pod.ownSysctls().contains(sysctl.key())) {
            // (A field the pod sets itself is no profile's: no conflict there.)
            clashes
                .computeIfAbsent(List.of(winner.profile(), rule.profile()), k -> new TreeMap<>())
                .computeIfAbsent(sysctl.field(), k -> new TreeSet<>())
                .add(pod.namespace() + "/" + pod.name());
          }
        }
        if (winner == null) {
          continue;
        }
        Object value = winner.settings().fieldValue(sysctl);
        if (pod.ownSysctls().contains(sysctl.key())) {
          leftToPod.put(sysctl.field(), winner.profile());
        } else if (winner.reportOnly()) {
          reportOnly = reportOnly.with(sysctl, value);
          sources.put(sysctl.field(), winner.profile());
        } else {
          apply = apply.with(sysctl, value);
          sources.put(sysctl.field(), winner.profile());
        }
      }
      decisions.add(new PodDecision(pod, apply, reportOnly, sources, leftToPod));
    }
    List<PodConflict> conflicts = new ArrayList<>();
    clashes.forEach(
        (profiles, byField) ->
            byField.forEach(
                (field, names) ->
                    conflicts.add(new PodConflict(profiles, field, List.copyOf(names)))));
    return new Result(decisions, conflicts);
  }

  private static int compare(List<String> a, List<String> b) {
    return String.join("\u0000", a).compareTo(String.join("\u0000", b));
  }
}
