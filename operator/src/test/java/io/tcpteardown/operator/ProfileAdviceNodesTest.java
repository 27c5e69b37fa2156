package io.tcpteardown.operator;

import static io.tcpteardown.operator.ProfileStatusAssemblerTest.FIN;
import static io.tcpteardown.operator.ProfileStatusAssemblerTest.WEB;
import static io.tcpteardown.operator.ProfileStatusAssemblerTest.compute;
import static io.tcpteardown.operator.ProfileStatusAssemblerTest.node;
import static io.tcpteardown.operator.ProfileStatusAssemblerTest.profile;
import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.ProfilePods;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.testsupport.ProfileStatusOracle;
import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A profile's status.adviceNodes: the selected nodes whose advice is about a field the profile
 * sets, HostNetwork advice against its fields, Pod advice against its pod rule's; the same from the
 * incremental index (which keeps only a view of each report) as from the full recomputation.
 */
@UnitTest
class ProfileAdviceNodesTest {
  private static AdviceEntry advice(String scope, String field) {
    boolean pod = AdviceEntry.SCOPE_POD.equals(scope);
    return new AdviceEntry(
        scope,
        pod ? "shop" : null,
        pod ? "web-1" : null,
        field,
        "1",
        "2",
        "UnansweredFins",
        "m",
        "2026-12-07T10:00:00Z",
        null);
  }

  private static TcpTeardownNodeStatus report(AdviceEntry... advice) {
    TcpTeardownNodeStatus status =
        new TcpTeardownNodeStatus(
            1L,
            Map.of(FIN, "30"),
            Map.of(),
            null,
            null,
            0L,
            List.of(),
            null,
            "2026-12-07T10:00:00Z");
    return advice.length == 0 ? status : status.withAdvice(List.of(advice), advice.length);
  }

  private static final Map<String, TcpTeardownNodeStatus> REPORTS =
      new TreeMap<>(
          Map.of(
              "web-1", report(advice(AdviceEntry.SCOPE_HOST_NETWORK, "finTimeoutSeconds")),
              "web-2", report(advice(AdviceEntry.SCOPE_POD, "finTimeoutSeconds")),
              "web-3",
                  report(
                      advice(AdviceEntry.SCOPE_HOST_NETWORK, "orphanRetries"),
                      advice(AdviceEntry.SCOPE_POD, "maxTwBuckets"),
                      advice("Elsewhere", "finTimeoutSeconds"),
                      advice(AdviceEntry.SCOPE_HOST_NETWORK, "noSuchField")),
              "web-4", report()));

  private static TcpTeardownProfileStatus oracle(TcpTeardownProfile profile) {
    return compute(
        new ProfileStatusOracle(new PressureTracker()),
        List.of(profile),
        REPORTS.keySet().stream().map(n -> node(n, WEB)).toList(),
        REPORTS,
        profile.getMetadata().getName());
  }

  /** The status the operator's incremental index gives from the same events. */
  private static TcpTeardownProfileStatus index(TcpTeardownProfile profile) {
    ProfileStatusIndex index =
        new ProfileStatusIndex(new PressureTracker(), AgentSilence.NONE, new ProfileValidations());
    index.putProfile(profile);
    for (Map.Entry<String, TcpTeardownNodeStatus> report : REPORTS.entrySet()) {
      index.putNode(node(report.getKey(), WEB));
      index.putObject(report.getKey(), report.getValue());
    }
    return index
        .status(profile.getMetadata().getName(), null, Instant.parse("2026-12-07T10:00:00Z"))
        .orElseThrow();
  }

  @Test
  void nodeFieldsCountHostNetworkAdviceOnly() {
    TcpTeardownProfile profile = profile("web", WEB, spec().finTimeoutSeconds(30).build());
    assertThat(oracle(profile).adviceNodes()).isEqualTo(1);
    assertThat(index(profile).adviceNodes()).isEqualTo(1);
  }

  @Test
  void aPodRuleCountsPodAdviceAboutItsFieldsToo() {
    TcpTeardownProfile profile =
        profile(
            "web",
            WEB,
            spec()
                .finTimeoutSeconds(30)
                .maxTwBuckets(20000)
                .pods(new ProfilePods(null, null, null))
                .build());
    TcpTeardownProfileStatus status = oracle(profile);
    assertThat(status.adviceNodes()).isEqualTo(3);
    assertThat(status.adviceNodes()).isLessThanOrEqualTo(status.selectedNodes());
    assertThat(index(profile).adviceNodes()).isEqualTo(3);
  }

  @Test
  void adviceAboutFieldsTheProfileDoesNotSetIsNotCountedAndNoneIsAbsent() {
    TcpTeardownProfile profile = profile("web", WEB, spec().maxOrphans(65536).build());
    assertThat(oracle(profile).adviceNodes()).isNull();
    assertThat(index(profile).adviceNodes()).isNull();
  }

  @Test
  void aRejectedProfileSetsNothingAndCountsNoAdvice() {
    TcpTeardownProfile profile =
        profile("web", WEB, spec().finTimeoutSeconds(30).twRecycle(true).build());
    assertThat(oracle(profile).adviceNodes()).isNull();
    assertThat(index(profile).adviceNodes()).isNull();
  }

  @Test
  void nodesTheProfileDoesNotSelectAreNotCounted() {
    TcpTeardownProfile profile =
        profile("web", Map.of("tier", "db"), spec().finTimeoutSeconds(30).build());
    assertThat(oracle(profile).selectedNodes()).isZero();
    assertThat(oracle(profile).adviceNodes()).isNull();
  }
}
