package io.tcpteardown.agent.pods;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.PodConflictEntry;
import io.tcpteardown.api.PodDriftEntry;
import io.tcpteardown.api.PodRuleResult;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.PodTeardownEntry.Listed;
import io.tcpteardown.api.PodTuningEntry;
import io.tcpteardown.rules.PodResolution;
import io.tcpteardown.rules.PodResolution.PodDecision;
import io.tcpteardown.rules.PodRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pod rules' part of a node's status, from the latest tuning pass: per pod what was done, the
 * conflicts, and per profile how many pods it matched, has its values and has errors in.
 *
 * @param entries pod UID to its entry, for every pod some rule selects or that has errors
 * @param drift pod UID to what was written back in it, for every pod where something was
 * @param failed the pods with an error, then those whose last drift check found drift, as
 *     status.pods entries: listed whatever the limit
 */
public record PodRulesStatus(
    Map<String, PodTuningEntry> entries,
    Map<String, PodDriftEntry> drift,
    List<PodTeardownEntry> failed,
    List<PodConflictEntry> conflicts,
    List<PodRuleResult> rules) {
  static final int MAX_PODS_PER_CONFLICT = PodConflictEntry.MAX_PODS;

  /**
   * Conflicts and per-profile results cut to what a node's status holds: at most {@value
   * PodConflictEntry#MAX_CONFLICTS} conflicts of at most {@value PodConflictEntry#MAX_PROFILES}
   * profiles and {@value PodConflictEntry#MAX_PODS} pods each, at most {@value
   * PodRuleResult#MAX_RULES} profiles' results.
   */
  public PodRulesStatus {
    conflicts =
        conflicts.stream()
            .limit(PodConflictEntry.MAX_CONFLICTS)
            .map(
                c ->
                    new PodConflictEntry(
                        first(c.profiles(), PodConflictEntry.MAX_PROFILES),
                        c.field(),
                        first(c.pods(), PodConflictEntry.MAX_PODS)))
            .toList();
    rules = first(rules, PodRuleResult.MAX_RULES);
  }

  private static <T> List<T> first(List<T> items, int max) {
    return items == null ? null : List.copyOf(items.subList(0, Math.min(max, items.size())));
  }

  /**
   * The swept entries with what the rules did in each and what was written back, then every pod
   * with an error or whose last drift check found drift that is not among them.
   */
  public List<PodTeardownEntry> merge(List<PodTeardownEntry> swept) {
    List<PodTeardownEntry> merged = new ArrayList<>();
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (PodTeardownEntry e : swept) {
      listed.add(e.uid());
      PodTuningEntry tuning = e.uid() == null ? null : entries.get(e.uid());
      PodDriftEntry drifted = e.uid() == null ? null : drift.get(e.uid());
      Listed listedHere =
          failed.stream()
              .filter(f -> f.uid().equals(e.uid()))
              .map(PodTeardownEntry::listed)
              .findFirst()
              .orElse(e.listed());
      merged.add(e.withTuning(e.listed() == Listed.Top ? listedHere : e.listed(), tuning, drifted));
    }
    failed.stream().filter(f -> !listed.contains(f.uid())).forEach(merged::add);
    return merged;
  }

  public static PodRulesStatus of(PodTuningLoop.Result result) {
    Map<String, PodTuning> tunings = new HashMap<>();
    result.tunings().forEach(t -> tunings.put(t.podUid(), t));
    Map<String, PodTuningEntry> entries = new TreeMap<>();
    Map<String, PodDriftEntry> drift = new TreeMap<>();
    List<PodTeardownEntry> failed = new ArrayList<>();
    List<PodTeardownEntry> drifting = new ArrayList<>();
    for (PodDecision decision : result.resolution().decisions()) {
      Optional<PodTuning> tuning = Optional.ofNullable(tunings.get(decision.pod().uid()));
      if (!decision.matched() && tuning.isEmpty()) {
        continue;
      }
      PodTuningEntry entry = entry(decision, tuning);
      entries.put(decision.pod().uid(), entry);
      Optional<PodTuningState> state = tuning.flatMap(PodTuning::state);
      PodDriftEntry drifted = state.flatMap(PodRulesStatus::driftEntry).orElse(null);
      if (drifted != null) {
        drift.put(decision.pod().uid(), drifted);
      }
      boolean failedHere = tuning.map(PodTuning::failed).orElse(false);
      boolean driftingNow = state.map(s -> s.fight().streak() > 0).orElse(false);
      if (failedHere || driftingNow) {
        (failedHere ? failed : drifting)
            .add(
                new PodTeardownEntry(
                    decision.pod().namespace(),
                    decision.pod().name(),
                    decision.pod().uid(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    failedHere ? Listed.Error : Listed.Drift,
                    entry,
                    null,
                    drifted));
      }
    }
    failed.addAll(drifting);
    List<PodConflictEntry> conflicts =
        result.resolution().conflicts().stream()
            .map(
                c ->
                    new PodConflictEntry(
                        c.profiles()
                            .subList(
                                0, Math.min(c.profiles().size(), PodConflictEntry.MAX_PROFILES)),
                        c.field(),
                        c.pods().subList(0, Math.min(c.pods().size(), MAX_PODS_PER_CONFLICT))))
            .limit(PodConflictEntry.MAX_CONFLICTS)
            .toList();
    return new PodRulesStatus(
        entries,
        drift,
        failed,
        conflicts,
        perProfile(result.rules(), result.resolution(), tunings));
  }

  /** What was written back in a pod, once something was. */
  static Optional<PodDriftEntry> driftEntry(PodTuningState state) {
    if (state.corrections() == 0) {
      return Optional.empty();
    }
    return Optional.of(
        new PodDriftEntry(
            state.lastDrift().stream().map(c -> c.sysctl().key()).toList(),
            state.corrections(),
            rfc3339(state.lastDriftAt()),
            state.fight().nextCheck() == null ? null : rfc3339(state.fight().nextCheck())));
  }

  private static String rfc3339(java.time.Instant instant) {
    return instant == null
        ? null
        : instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  private static PodTuningEntry entry(PodDecision decision, Optional<PodTuning> tuning) {
    Map<String, String> applied = new TreeMap<>();
    Map<String, String> wouldChange = new TreeMap<>();
    List<String> errors = new ArrayList<>();
    tuning.ifPresent(
        t -> {
          t.applied().forEach((s, v) -> applied.put(s.key(), Long.toString(v)));
          t.wouldChange()
              .forEach((s, c) -> wouldChange.put(s.key(), c.current() + " -> " + c.wanted()));
          t.problem().ifPresent(errors::add);
          new TreeMap<>(t.errors()).values().forEach(errors::add);
        });
    return new PodTuningEntry(
        applied,
        decision.sources(),
        decision.leftToPod(),
        wouldChange,
        PodTuningEntry.bounded(errors));
  }

  /**
   * Per profile: matched (its rule selects the pod), applied (every field it won in the pod holds
   * its value: written and read back, or for ReportOnly already there), errors (a field it won
   * failed, or the pod's whole pass did).
   */
  private static List<PodRuleResult> perProfile(
      List<PodRule> rules, PodResolution.Result resolution, Map<String, PodTuning> tunings) {
    List<PodRuleResult> results = new ArrayList<>();
    for (PodRule rule : rules.stream().filter(r -> r != null && r.profile() != null).toList()) {
      long matched = 0;
      long applied = 0;
      long errors = 0;
      for (PodDecision decision : resolution.decisions()) {
        if (!rule.selects(decision.pod())) {
          continue;
        }
        matched++;
        PodTuning tuning = tunings.get(decision.pod().uid());
        Verdict verdict = verdict(rule.profile(), decision, tuning);
        if (verdict == Verdict.ERROR) {
          errors++;
        } else if (verdict == Verdict.HOLDS) {
          applied++;
        }
      }
      results.add(new PodRuleResult(rule.profile(), matched, applied, errors));
    }
    results.sort(java.util.Comparator.comparing(PodRuleResult::profile));
    return results.subList(0, Math.min(results.size(), PodRuleResult.MAX_RULES));
  }

  private enum Verdict {
    HOLDS,
    PENDING,
    ERROR
  }

  private static Verdict verdict(String profile, PodDecision decision, PodTuning tuning) {
    List<ManagedSysctl> won = new ArrayList<>();
    decision
        .sources()
        .forEach(
            (field, source) -> {
              if (source.equals(profile)) {
                ManagedSysctl.byField(field).ifPresent(won::add);
              }
            });
    if (won.isEmpty()) {
      return Verdict.HOLDS;
    }
    if (tuning == null) {
      return Verdict.PENDING;
    }
    if (tuning.problem().isPresent() || won.stream().anyMatch(tuning.errors()::containsKey)) {
      return Verdict.ERROR;
    }
    for (ManagedSysctl sysctl : won) {
      Long wanted = decision.apply().sysctlValue(sysctl);
      if (wanted != null) {
        if (!wanted.equals(tuning.applied().get(sysctl))) {
          return Verdict.PENDING;
        }
      } else if (tuning.wouldChange().containsKey(sysctl)) {
        return Verdict.PENDING;
      }
    }
    return Verdict.HOLDS;
  }
}
