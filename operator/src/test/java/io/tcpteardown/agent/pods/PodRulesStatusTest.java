package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.FieldError;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.PodRuleResult;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.PodTeardownEntry.Listed;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.PodFacts;
import io.tcpteardown.rules.PodResolution;
import io.tcpteardown.rules.PodRule;
import io.tcpteardown.tier.UnitTest;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

@UnitTest
class PodRulesStatusTest {
  private static final TeardownSettings FIN_25 =
      new TeardownSettings(null, 25, null, null, null, null);
  private static final PodRule WEB =
      new PodRule("web", 0, null, new NodeSelector(Map.of("app", "web"), null), false, FIN_25);
  private static final PodRule WATCH =
      new PodRule(
          "watch", 0, null, null, true, new TeardownSettings(3, null, null, null, null, null));

  private static PodFacts pod(String name, String app) {
    return new PodFacts("uid-" + name, "shop", name, Map.of("app", app), Map.of(), Set.of());
  }

  private static PodTuning tuning(
      String name,
      Map<ManagedSysctl, Long> applied,
      Map<ManagedSysctl, String> errors,
      Map<ManagedSysctl, PodTuning.Change> wouldChange) {
    Map<ManagedSysctl, FieldError> failed = new EnumMap<>(ManagedSysctl.class);
    errors.forEach((s, m) -> failed.put(s, new FieldError(s, FieldError.Reason.IO, m)));
    return new PodTuning(
        "uid-" + name,
        new ApplyResult(
            List.of(), applied, Map.of(), failed, List.of(), List.of(), false, Optional.empty()),
        wouldChange,
        Optional.empty(),
        List.of(),
        Optional.empty());
  }

  @Test
  void perProfileMatchedAppliedAndErrorsAndEveryFailedPodListedWhateverTheLimit() {
    List<PodRule> rules = List.of(WEB, WATCH);
    List<PodFacts> pods =
        List.of(pod("a", "web"), pod("b", "web"), pod("c", "web"), pod("d", "db"));
    PodResolution.Result resolution = PodResolution.resolve(rules, pods);
    PodRulesStatus report =
        PodRulesStatus.of(
            new PodTuningLoop.Result(
                rules,
                resolution,
                List.of(
                    tuning(
                        "a",
                        Map.of(ManagedSysctl.FIN_TIMEOUT, 25L),
                        Map.of(),
                        Map.of(ManagedSysctl.ORPHAN_RETRIES, new PodTuning.Change(0, 3))),
                    tuning(
                        "b",
                        Map.of(),
                        Map.of(ManagedSysctl.FIN_TIMEOUT, "net.ipv4.tcp_fin_timeout: read back 60"),
                        Map.of()),
                    // c: not tuned yet (waiting for its namespace); b and d already hold 3.
                    tuning("d", Map.of(), Map.of(), Map.of()))));

    assertThat(report.rules())
        .containsExactly(
            new PodRuleResult("watch", 4L, 2L, 0L), new PodRuleResult("web", 3L, 1L, 1L));
    assertThat(report.entries().get("uid-a").wouldChange())
        .isEqualTo(Map.of("net.ipv4.tcp_orphan_retries", "0 -> 3"));
    assertThat(report.entries().get("uid-a").applied())
        .isEqualTo(Map.of("net.ipv4.tcp_fin_timeout", "25"));
    assertThat(report.failed()).extracting(PodTeardownEntry::name).containsExactly("b");

    // The sweep listed only a (limit 1): b is listed too, with its error; a gets its tuning.
    PodTeardownEntry swept =
        new PodTeardownEntry("shop", "a", "uid-a", null, null, null, 3L, null, Listed.Top);
    List<PodTeardownEntry> merged = report.merge(List.of(swept));
    assertThat(merged).extracting(PodTeardownEntry::name).containsExactly("a", "b");
    assertThat(merged.get(0).tuning().sources()).containsEntry("finTimeoutSeconds", "web");
    assertThat(merged.get(1).listed()).isEqualTo(Listed.Error);
    assertThat(merged.get(1).tuning().errors())
        .containsExactly("net.ipv4.tcp_fin_timeout: read back 60");
  }
}
