package io.tcpteardown.rules;

import static io.tcpteardown.api.HealthConditions.READY;
import static io.tcpteardown.api.HealthConditions.RECONCILING;
import static io.tcpteardown.api.HealthConditions.STALLED;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.HealthConditions;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@UnitTest
class HealthSummaryTest {
  private static Condition c(String type, boolean status, String reason, String message) {
    return Conditions.of(type, status, reason, message, 3L);
  }

  private static List<Condition> profile(
      boolean accepted, boolean applied, String appliedReason, boolean conflict, boolean pressure) {
    return List.of(
        c(
            ProfileConditions.ACCEPTED,
            accepted,
            accepted ? "Valid" : "TwRecycle",
            "tw_recycle is rejected."),
        c(ProfileConditions.APPLIED, applied, appliedReason, "1 of 3 selected nodes applied."),
        c(
            ProfileConditions.CONFLICT,
            conflict,
            "EqualPriorityClash",
            "web and api set finTimeoutSeconds."),
        c(
            ProfileConditions.TEARDOWN_PRESSURE,
            pressure,
            "TeardownPressure",
            "node-a near its limit"),
        c(ProfileConditions.HELD_BACK, false, "NothingHeldBack", "nothing"));
  }

  private static String status(List<Condition> summary, String type) {
    return Conditions.find(summary, type).orElseThrow().getStatus();
  }

  private static String reason(List<Condition> summary, String type) {
    return Conditions.find(summary, type).orElseThrow().getReason();
  }

  private static void neverBothReconcilingAndStalled(List<Condition> summary) {
    assertThat(Conditions.isTrue(summary, RECONCILING) && Conditions.isTrue(summary, STALLED))
        .isFalse();
    assertThat(summary).extracting(Condition::getType).containsExactly(READY, RECONCILING, STALLED);
    assertThat(summary).allSatisfy(x -> assertThat(x.getObservedGeneration()).isEqualTo(3L));
  }

  @Test
  void aRejectedProfileIsStalledNotReady() {
    List<Condition> summary =
        HealthSummary.forProfile(
            profile(false, false, "NotAccepted", false, false), List.of(), List.of(), 3L);
    neverBothReconcilingAndStalled(summary);
    assertThat(status(summary, READY)).isEqualTo("False");
    assertThat(reason(summary, STALLED)).isEqualTo(HealthConditions.REASON_NOT_ACCEPTED);
    assertThat(Conditions.find(summary, STALLED).orElseThrow().getMessage())
        .contains("tw_recycle is rejected.", "Fix the fields named");
  }

  @Test
  void nodesStillApplyingIsReconciling() {
    List<Condition> summary =
        HealthSummary.forProfile(
            profile(true, false, "Pending", false, false), List.of(), List.of(), 3L);
    neverBothReconcilingAndStalled(summary);
    assertThat(status(summary, READY)).isEqualTo("False");
    assertThat(status(summary, RECONCILING)).isEqualTo("True");
    assertThat(reason(summary, RECONCILING)).isEqualTo(HealthConditions.REASON_NODES_NOT_APPLIED);
    assertThat(status(summary, STALLED)).isEqualTo("False");
  }

  @Test
  void everyTerminalFailureIsStalled() {
    assertThat(
            reason(
                HealthSummary.forProfile(
                    profile(true, true, "AllNodesApplied", true, false), List.of(), List.of(), 3L),
                STALLED))
        .isEqualTo(HealthConditions.REASON_CONFLICT);
    assertThat(
            reason(
                HealthSummary.forProfile(
                    profile(
                        true,
                        false,
                        ProfileConditions.REASON_AGENT_WITHOUT_POD_RULES,
                        false,
                        false),
                    List.of(),
                    List.of(),
                    3L),
                STALLED))
        .isEqualTo(HealthConditions.REASON_AGENT_WITHOUT_FEATURE);
    List<String> silent = IntStream.range(0, 7).mapToObj(i -> "node-" + i).toList();
    List<Condition> notReporting =
        HealthSummary.forProfile(
            profile(true, false, "Pending", false, false), silent, List.of(), 3L);
    neverBothReconcilingAndStalled(notReporting);
    assertThat(reason(notReporting, STALLED))
        .isEqualTo(HealthConditions.REASON_AGENT_NOT_REPORTING);
    assertThat(Conditions.find(notReporting, STALLED).orElseThrow().getMessage())
        .contains("7 selected node(s)", "node-0, node-1, node-2, node-3, node-4 and 2 more")
        .doesNotContain("node-5");
    assertThat(
            reason(
                HealthSummary.forProfile(
                    profile(true, false, "Pending", false, false),
                    List.of(),
                    List.of("node-a (net.ipv4.tcp_fin_timeout: Invalid argument)"),
                    3L),
                STALLED))
        .isEqualTo(HealthConditions.REASON_NODE_ERROR);
  }

  @Test
  void appliedEverywhereIsReadyAndNamesInformationalConditions() {
    List<Condition> summary =
        HealthSummary.forProfile(
            profile(true, true, "AllNodesApplied", false, true), List.of(), List.of(), 3L);
    neverBothReconcilingAndStalled(summary);
    assertThat(status(summary, READY)).isEqualTo("True");
    assertThat(Conditions.find(summary, READY).orElseThrow().getMessage())
        .contains("TeardownPressure")
        .doesNotContain("HeldBack");
  }

  @Test
  void aProfileSelectingNoNodeIsReady() {
    List<Condition> summary =
        HealthSummary.forProfile(
            profile(true, false, ProfileConditions.REASON_NO_NODES_SELECTED, false, false),
            List.of(),
            List.of(),
            3L);
    assertThat(status(summary, READY)).isEqualTo("True");
  }

  @Test
  void aNodeWithAnErrorIsStalledByItsKind() {
    for (var reasons :
        List.of(
            List.of(NodeConditions.REASON_SETTINGS_REFUSED, HealthConditions.REASON_SPEC_REFUSED),
            List.of(NodeConditions.REASON_SYSCTL_FAILED, HealthConditions.REASON_VALUE_REFUSED),
            List.of(
                NodeConditions.REASON_STATE_FILE_CORRUPT,
                HealthConditions.REASON_STATE_FILE_CORRUPT))) {
      List<Condition> summary =
          HealthSummary.forNode(
              List.of(
                  c(NodeConditions.APPLIED, false, "NotApplied", "not applied"),
                  c(NodeConditions.ERROR, true, reasons.get(0), "the problem")),
              3L);
      neverBothReconcilingAndStalled(summary);
      assertThat(reason(summary, STALLED)).isEqualTo(reasons.get(1));
    }
  }

  @Test
  void aNodeIsReconcilingUntilApplied_thenReady() {
    List<Condition> applying =
        HealthSummary.forNode(
            List.of(
                c(NodeConditions.APPLIED, false, "NotApplied", "not yet"),
                c(NodeConditions.ERROR, false, "NoError", "no error")),
            3L);
    neverBothReconcilingAndStalled(applying);
    assertThat(status(applying, RECONCILING)).isEqualTo("True");
    List<Condition> ready =
        HealthSummary.forNode(
            List.of(
                c(NodeConditions.APPLIED, true, "Applied", "applied"),
                c(NodeConditions.ERROR, false, "NoError", "no error"),
                c(NodeConditions.CLOSE_WAIT_LEAK, true, "LeakSuspected", "pod leaks")),
            3L);
    assertThat(status(ready, READY)).isEqualTo("True");
    assertThat(Conditions.find(ready, READY).orElseThrow().getMessage()).contains("CloseWaitLeak");
  }
}
