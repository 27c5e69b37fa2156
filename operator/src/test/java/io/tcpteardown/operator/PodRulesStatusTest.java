package io.tcpteardown.operator;

import static io.tcpteardown.api.ProfileConditions.APPLIED;
import static io.tcpteardown.api.ProfileConditions.CONFLICT;
import static io.tcpteardown.api.ProfileConditions.REASON_AGENT_WITHOUT_POD_RULES;
import static io.tcpteardown.api.ProfileConditions.REASON_ALL_NODES_APPLIED;
import static io.tcpteardown.api.ProfileConditions.REASON_PODS_NOT_APPLIED;
import static io.tcpteardown.operator.ProfileStatusAssemblerTest.FIN;
import static io.tcpteardown.operator.ProfileStatusAssemblerTest.WEB;
import static io.tcpteardown.operator.ProfileStatusAssemblerTest.compute;
import static io.tcpteardown.operator.ProfileStatusAssemblerTest.node;
import static io.tcpteardown.operator.ProfileStatusAssemblerTest.profile;
import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.PodConflictEntry;
import io.tcpteardown.api.PodMode;
import io.tcpteardown.api.PodRuleResult;
import io.tcpteardown.api.PodSummary;
import io.tcpteardown.api.ProfilePods;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.testsupport.ProfileStatusOracle;
import io.tcpteardown.tier.UnitTest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A profile's status with spec.pods: podSummary, Applied covering pods, pod conflicts. */
@UnitTest
class PodRulesStatusTest {
  private static final AgentInfo NEW_AGENT = new AgentInfo("a", "2", List.of(AgentInfo.POD_RULES));
  private static final AgentInfo OLD_AGENT = new AgentInfo("a", "1");

  private static TcpTeardownProfile withPods(PodMode mode) {
    return profile(
        "web", WEB, spec().finTimeoutSeconds(30).pods(new ProfilePods(null, null, mode)).build());
  }

  private static TcpTeardownNodeStatus report(
      AgentInfo agent, List<PodRuleResult> rules, List<PodConflictEntry> conflicts) {
    return new TcpTeardownNodeStatus(
        1L,
        Map.of(FIN, "30"),
        Map.of(),
        null,
        null,
        0L,
        List.of(),
        agent,
        "2026-11-26T12:00:00Z",
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        conflicts,
        rules);
  }

  private static TcpTeardownProfileStatus status(
      TcpTeardownProfile profile, Map<String, TcpTeardownNodeStatus> reports) {
    return compute(
        new ProfileStatusOracle(new PressureTracker()),
        List.of(profile),
        reports.keySet().stream().sorted().map(n -> node(n, WEB)).toList(),
        reports,
        "web");
  }

  private static Condition applied(TcpTeardownProfileStatus status) {
    return Conditions.find(status.conditions(), APPLIED).orElseThrow();
  }

  @Test
  void podSummarySumsTheNodesAndAppliedHoldsOnlyWhenEveryMatchedPodHasTheValues() {
    TcpTeardownProfileStatus done =
        status(
            withPods(PodMode.Apply),
            Map.of(
                "web-1", report(NEW_AGENT, List.of(new PodRuleResult("web", 3L, 3L, 0L)), null),
                "web-2", report(NEW_AGENT, List.of(new PodRuleResult("web", 2L, 2L, 0L)), null)));
    assertThat(done.podSummary()).isEqualTo(new PodSummary(5L, 5L, 0L));
    assertThat(applied(done).getStatus()).isEqualTo("True");
    assertThat(applied(done).getReason()).isEqualTo(REASON_ALL_NODES_APPLIED);

    TcpTeardownProfileStatus pending =
        status(
            withPods(PodMode.Apply),
            Map.of(
                "web-1", report(NEW_AGENT, List.of(new PodRuleResult("web", 3L, 1L, 1L)), null)));
    assertThat(pending.podSummary()).isEqualTo(new PodSummary(3L, 1L, 1L));
    assertThat(applied(pending).getStatus()).isEqualTo("False");
    assertThat(applied(pending).getReason()).isEqualTo(REASON_PODS_NOT_APPLIED);
    assertThat(applied(pending).getMessage())
        .contains("1 of 3 matched pods have this profile's values, 1 with errors");
  }

  @Test
  void anOldAgentWithoutThePodFeatureKeepsAppliedFalseWithTheReason() {
    TcpTeardownProfileStatus status =
        status(
            withPods(PodMode.Apply),
            Map.of(
                "web-1", report(NEW_AGENT, List.of(new PodRuleResult("web", 1L, 1L, 0L)), null),
                "web-2", report(OLD_AGENT, null, null)));
    assertThat(applied(status).getStatus()).isEqualTo("False");
    assertThat(applied(status).getReason()).isEqualTo(REASON_AGENT_WITHOUT_POD_RULES);
    assertThat(applied(status).getMessage())
        .contains("web-2")
        .contains("do not understand pod rules")
        .doesNotContain("web-1");
    // The node's own values are applied on both: only the pods keep Applied False.
    assertThat(status.appliedNodes()).isEqualTo(2);
  }

  @Test
  void reportOnlyPodsDoNotHoldAppliedBackButAnOldAgentStillDoes() {
    TcpTeardownProfileStatus reported =
        status(
            withPods(PodMode.ReportOnly),
            Map.of(
                "web-1", report(NEW_AGENT, List.of(new PodRuleResult("web", 4L, 0L, 0L)), null)));
    assertThat(applied(reported).getStatus()).isEqualTo("True");
    assertThat(reported.podSummary()).isEqualTo(new PodSummary(4L, 0L, 0L));
    assertThat(
            applied(
                    status(
                        withPods(PodMode.ReportOnly),
                        Map.of("web-1", report(OLD_AGENT, null, null))))
                .getReason())
        .isEqualTo(REASON_AGENT_WITHOUT_POD_RULES);
  }

  @Test
  void podConflictsReportedByAnAgentBecomeTheProfilesConflict() {
    TcpTeardownProfileStatus status =
        status(
            withPods(PodMode.Apply),
            Map.of(
                "web-1",
                report(
                    NEW_AGENT,
                    List.of(new PodRuleResult("web", 1L, 1L, 0L)),
                    List.of(
                        new PodConflictEntry(
                            List.of("other", "web"), "finTimeoutSeconds", List.of("shop/a"))))));
    Condition conflict = Conditions.find(status.conditions(), CONFLICT).orElseThrow();
    assertThat(conflict.getStatus()).isEqualTo("True");
    assertThat(conflict.getMessage())
        .contains("other and web")
        .contains("finTimeoutSeconds")
        .contains("shop/a")
        .contains("node web-1")
        .contains("other wins");
  }

  @Test
  void podConflictsOfManyNodesAreListedInNodeOrder() {
    Map<String, TcpTeardownNodeStatus> reports = new java.util.HashMap<>();
    for (int i = 0; i < 12; i++) {
      reports.put(
          "web-%02d".formatted(i),
          report(
              NEW_AGENT,
              List.of(new PodRuleResult("web", 1L, 1L, 0L)),
              List.of(new PodConflictEntry(List.of("other", "web"), "f", List.of("shop/a")))));
    }
    String message =
        Conditions.find(status(withPods(PodMode.Apply), reports).conditions(), CONFLICT)
            .orElseThrow()
            .getMessage();
    List<Integer> nodes =
        java.util.regex.Pattern.compile("node web-(\\d\\d)")
            .matcher(message)
            .results()
            .map(m -> Integer.parseInt(m.group(1)))
            .toList();
    assertThat(nodes).hasSizeGreaterThan(2).isSorted();
  }

  @Test
  void whateverAnAgentWritesIsTakenWithoutThrowing() {
    TcpTeardownProfileStatus status =
        status(
            withPods(PodMode.Apply),
            Map.of(
                "web-1",
                report(
                    new AgentInfo(null, null, Arrays.asList(null, AgentInfo.POD_RULES)),
                    Arrays.asList(
                        null,
                        new PodRuleResult(null, 1L, 1L, 1L),
                        new PodRuleResult("web", -5L, null, Long.MAX_VALUE),
                        new PodRuleResult("web", Long.MAX_VALUE, Long.MAX_VALUE, null)),
                    Arrays.asList(
                        null,
                        new PodConflictEntry(null, null, null),
                        new PodConflictEntry(Arrays.asList("web", null), "f", null)))));
    assertThat(status.podSummary())
        .isEqualTo(new PodSummary(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE));
    assertThat(Conditions.isTrue(status.conditions(), CONFLICT)).isFalse();
  }

  @Test
  void aProfileWithoutPodsHasNoPodSummaryAndIgnoresAgentFeatures() {
    TcpTeardownProfileStatus status =
        status(
            profile("web", WEB, spec().finTimeoutSeconds(30).build()),
            Map.of("web-1", report(OLD_AGENT, null, null)));
    assertThat(status.podSummary()).isNull();
    assertThat(applied(status).getStatus()).isEqualTo("True");
  }
}
