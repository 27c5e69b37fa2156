package io.tcpteardown.agent;

import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.rules.advice.Advice;
import io.tcpteardown.rules.advice.AdviceHold;
import io.tcpteardown.rules.advice.AdviceReason;
import io.tcpteardown.rules.advice.AdviceRules;
import io.tcpteardown.rules.advice.NamespaceEvidence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The advice of the node's namespace and of every pod's, each followed over time by its own {@link
 * AdviceHold}; what status.advice shows. The node loop and the pod sweeps write to it from their
 * threads. Holds at most {@link #MAX_SCOPES} namespaces (one hold is a few tracks), the oldest
 * forgotten first.
 */
public final class AdviceBook {
  /** Namespaces followed at most: as many pods as the Events' rate limit remembers. */
  public static final int MAX_SCOPES = 4096;

  /** A namespace the advice is about: the node's, or a pod's. */
  public record Scope(String key, String scope, String namespace, String pod) {
    public static final Scope HOST_NETWORK =
        new Scope(AdviceEntry.SCOPE_HOST_NETWORK, AdviceEntry.SCOPE_HOST_NETWORK, null, null);

    public static Scope pod(String uid, String namespace, String name) {
      return new Scope(uid, AdviceEntry.SCOPE_POD, namespace, name);
    }
  }

  private record Held(Scope scope, AdviceHold hold, List<AdviceHold.Shown> shown) {}

  private final Map<String, Held> scopes = new LinkedHashMap<>(16, 0.75f, true);

  /** The advice from the pod sweeps' cost, while the latest sweep gives it. */
  private record SweepCost(String message, Long current, int suggested, Instant since) {}

  private SweepCost sweepCost;

  /**
   * The pod sweeps' cost advice of the latest sweep ({@code message} empty when it gives none):
   * childEhashEntries on the node, since the first sweep in a row that gave it.
   */
  public synchronized void sweepCost(
      Optional<String> message, Long current, int suggested, Instant now) {
    if (message.isEmpty()) {
      sweepCost = null;
      return;
    }
    sweepCost =
        new SweepCost(
            message.get(), current, suggested, sweepCost == null ? now : sweepCost.since());
  }

  /** Takes one look's evidence of a namespace. */
  public synchronized void record(Scope scope, NamespaceEvidence evidence, Instant now) {
    Held before = scopes.get(scope.key());
    AdviceHold hold = before == null ? AdviceHold.empty() : before.hold();
    List<Advice> candidates = AdviceRules.advise(evidence);
    AdviceHold.Step step = hold.next(candidates, evidence, now);
    if (step.hold().tracks().isEmpty()) {
      scopes.remove(scope.key());
      return;
    }
    scopes.put(scope.key(), new Held(scope, step.hold(), step.shown()));
    while (scopes.size() > MAX_SCOPES) {
      scopes.remove(scopes.keySet().iterator().next());
    }
  }

  /** Forgets the pods that are gone (the node's namespace is always kept). */
  public synchronized void retainPods(Set<String> liveKeys) {
    scopes
        .keySet()
        .removeIf(key -> !key.equals(Scope.HOST_NETWORK.key()) && !liveKeys.contains(key));
  }

  /**
   * What status.advice shows: the node's advice first, then pods' by namespace and name, at most
   * {@link AdviceEntry#MAX_ENTRIES} entries and {@link AdviceEntry#MAX_BYTES} of JSON; {@code
   * sources} names the profile that sets each node field.
   */
  public synchronized Shown shown(Map<String, String> sources, boolean enabled) {
    return shown(sources, Map.of(), enabled);
  }

  /**
   * As {@link #shown(Map, boolean)}; {@code podSources} names, by pod UID, the profile whose pod
   * rule sets each field in that pod.
   */
  public synchronized Shown shown(
      Map<String, String> sources, Map<String, Map<String, String>> podSources, boolean enabled) {
    if (!enabled) {
      return new Shown(List.of(), 0, Map.of());
    }
    List<AdviceEntry> all = new ArrayList<>();
    scopes.values().stream()
        .sorted(
            Comparator.comparing(
                    (Held h) -> !h.scope().scope().equals(AdviceEntry.SCOPE_HOST_NETWORK))
                .thenComparing(h -> String.valueOf(h.scope().namespace()))
                .thenComparing(h -> String.valueOf(h.scope().pod())))
        .forEach(
            held ->
                held.shown()
                    .forEach(
                        shown ->
                            all.add(
                                entry(
                                    held.scope(),
                                    shown,
                                    (held.scope().scope().equals(AdviceEntry.SCOPE_HOST_NETWORK)
                                            ? sources
                                            : podSources.getOrDefault(held.scope().key(), Map.of()))
                                        .get(shown.advice().field().field())))));
    if (sweepCost != null) {
      int nodeEntries =
          (int) all.stream().filter(e -> e.scope().equals(AdviceEntry.SCOPE_HOST_NETWORK)).count();
      String field = ManagedSysctl.CHILD_EHASH_ENTRIES.field();
      String profile = sources.get(field);
      all.add(
          nodeEntries,
          new AdviceEntry(
              AdviceEntry.SCOPE_HOST_NETWORK,
              null,
              null,
              field,
              sweepCost.current() == null ? null : String.valueOf(sweepCost.current()),
              String.valueOf(sweepCost.suggested()),
              AdviceReason.SharedHashTableCostly.name(),
              SafeText.of(sweepCost.message(), AdviceEntry.MAX_MESSAGE),
              sweepCost.since().toString(),
              profile == null ? null : SafeText.of(profile, AdviceEntry.MAX_NAME)));
    }
    Map<Tally, Integer> tally = new HashMap<>();
    all.forEach(
        e -> tally.merge(new Tally(e.scope(), AdviceReason.valueOf(e.reason())), 1, Integer::sum));
    List<AdviceEntry> listed = new ArrayList<>();
    int bytes = 0;
    for (AdviceEntry entry : all) {
      bytes += entry.worstJsonBytes();
      if (listed.size() == AdviceEntry.MAX_ENTRIES || bytes > AdviceEntry.MAX_BYTES) {
        break;
      }
      listed.add(entry);
    }
    return new Shown(List.copyOf(listed), all.size(), tally);
  }

  /**
   * The entries shown, how many there are in all ({@code status.adviceCount}), and all of them by
   * scope and reason (the metric).
   */
  public record Shown(List<AdviceEntry> entries, int count, Map<Tally, Integer> tally) {
    public Shown {
      tally = Map.copyOf(tally);
    }
  }

  /** A scope (HostNetwork or Pod) and a reason: the labels of the advice metric. */
  public record Tally(String scope, AdviceReason reason) {}

  private static AdviceEntry entry(Scope scope, AdviceHold.Shown shown, String profile) {
    Advice advice = shown.advice();
    return new AdviceEntry(
        scope.scope(),
        scope.namespace() == null
            ? null
            : SafeText.of(scope.namespace(), AdviceEntry.MAX_NAMESPACE),
        scope.pod() == null ? null : SafeText.of(scope.pod(), AdviceEntry.MAX_NAME),
        advice.field().field(),
        advice.current() == null ? null : advice.field().displayValue(advice.current()),
        String.valueOf(advice.suggested()),
        advice.reason().name(),
        SafeText.of(advice.message(), AdviceEntry.MAX_MESSAGE),
        shown.since().toString(),
        profile == null ? null : SafeText.of(profile, AdviceEntry.MAX_NAME));
  }
}
