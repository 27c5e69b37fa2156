package io.tcpteardown.rules.advice;

import static io.tcpteardown.rules.advice.AdviceThresholds.HOLD_REPORTS;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Advice over time, for one namespace: a piece appears once its evidence has held for {@link
 * AdviceThresholds#HOLD_REPORTS} reports in a row (at once when a kernel counter it rests on rose)
 * and disappears once it has been gone for as many. Immutable: {@link #next} returns the new hold.
 * At most one track per rule and field, so its size is bounded by the rules.
 */
public record AdviceHold(Map<Advice.Key, Track> tracks) {
  /** One piece of advice followed from report to report. */
  public record Track(Advice advice, Instant since, int seen, int missed, boolean shown) {}

  /** Advice shown to users, with since when its evidence has held. */
  public record Shown(Advice advice, Instant since) {}

  /** The hold after a report, and the advice to show. */
  public record Step(AdviceHold hold, List<Shown> shown) {}

  public AdviceHold {
    tracks = Map.copyOf(tracks);
  }

  public static AdviceHold empty() {
    return new AdviceHold(Map.of());
  }

  /**
   * Takes one report's candidates (from {@link AdviceRules#advise}) and the evidence's counters.
   */
  public Step next(List<Advice> candidates, NamespaceEvidence evidence, Instant now) {
    Map<Advice.Key, Track> next = new LinkedHashMap<>();
    for (Advice candidate : candidates) {
      Track before = tracks.get(candidate.key());
      int seen = before == null ? 1 : before.seen() + 1;
      boolean shown =
          (before != null && before.shown())
              || seen >= HOLD_REPORTS
              || countedAtOnce(candidate.reason(), evidence);
      next.put(
          candidate.key(),
          new Track(candidate, before == null ? now : before.since(), seen, 0, shown));
    }
    tracks.forEach(
        (key, track) -> {
          if (!next.containsKey(key) && track.shown() && track.missed() + 1 < HOLD_REPORTS) {
            next.put(
                key,
                new Track(track.advice(), track.since(), track.seen(), track.missed() + 1, true));
          }
        });
    List<Shown> shown = new ArrayList<>();
    next.values().stream()
        .filter(Track::shown)
        .forEach(t -> shown.add(new Shown(t.advice(), t.since())));
    return new Step(new AdviceHold(next), List.copyOf(shown));
  }

  private static boolean countedAtOnce(AdviceReason reason, NamespaceEvidence evidence) {
    return switch (reason) {
      case TimeWaitTableFull -> evidence.timeWaitOverflowRise() > 0;
      case UnansweredFins -> evidence.abortOnMemoryRise() > 0;
      default -> false;
    };
  }
}
