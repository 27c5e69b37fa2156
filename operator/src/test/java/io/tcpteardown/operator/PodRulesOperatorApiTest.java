package io.tcpteardown.operator;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.NodePodRule;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.PodConflictEntry;
import io.tcpteardown.api.PodMode;
import io.tcpteardown.api.PodRuleResult;
import io.tcpteardown.api.PodSummary;
import io.tcpteardown.api.ProfileConditions;
import io.tcpteardown.api.ProfilePods;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.testsupport.ClusterFixtures;
import io.tcpteardown.testsupport.RunningOperator;
import io.tcpteardown.tier.ApiTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's half of pod rules against a real kube-apiserver: a profile with spec.pods is
 * admitted by the CRD schema, its rule is copied into the spec of every node it selects (without
 * maxOrphans), and what agents report (as the tests write it, an old agent's too) becomes the
 * profile's podSummary, Applied and Conflict; deleting the profile takes the rule away.
 */
@ApiTest
class PodRulesOperatorApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension static final RunningOperator running = new RunningOperator();

  private static KubernetesClient client() {
    return running.client();
  }

  private static ClusterFixtures fixtures() {
    return running.fixtures();
  }

  @Test
  void podRulesReachTheNodesAndTheAgentsReportsReachTheProfile() {
    fixtures().node("p1", "8Gi", Map.of("tier", "web"));
    fixtures().node("p2", "8Gi", Map.of("tier", "web"));
    NodeSelector web = new NodeSelector(Map.of("app", "web"), null);
    fixtures()
        .profile(
            "pods",
            Map.of("tier", "web"),
            spec()
                .finTimeoutSeconds(25)
                .maxOrphans(65536)
                .pods(new ProfilePods(null, web, PodMode.Apply))
                .build());
    String profile = fixtures().name("pods");
    NodePodRule expected =
        new NodePodRule(profile, 0, null, web, PodMode.Apply, null, 25, null, null, null);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(fixtures().getNodeObject("p1").getSpec().podRules())
                  .containsExactly(expected);
              assertThat(fixtures().getNodeObject("p2").getSpec().podRules())
                  .containsExactly(expected);
            });

    // p1's agent understands pod rules and reports a conflict; p2's is of an older version.
    report(
        "p1",
        new AgentInfo("agent-p1", "2", List.of(AgentInfo.POD_RULES)),
        List.of(new PodRuleResult(profile, 3L, 3L, 0L)),
        List.of(
            new PodConflictEntry(
                List.of("aaa", profile), "finTimeoutSeconds", List.of("shop/web"))));
    report("p2", new AgentInfo("agent-p2", "1"), null, null);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownProfile status = fixtures().getProfile("pods");
              assertThat(status.getStatus().podSummary()).isEqualTo(new PodSummary(3L, 3L, 0L));
              Condition applied = condition(status, ProfileConditions.APPLIED);
              assertThat(applied.getStatus()).isEqualTo("False");
              assertThat(applied.getReason())
                  .isEqualTo(ProfileConditions.REASON_AGENT_WITHOUT_POD_RULES);
              assertThat(applied.getMessage()).contains(fixtures().name("p2"));
              Condition conflict = condition(status, ProfileConditions.CONFLICT);
              assertThat(conflict.getStatus()).isEqualTo("True");
              assertThat(conflict.getMessage()).contains("shop/web").contains("aaa wins");
            });

    // p2's agent is upgraded: Applied covers the pods of both nodes.
    report(
        "p2",
        new AgentInfo("agent-p2", "2", List.of(AgentInfo.POD_RULES)),
        List.of(new PodRuleResult(profile, 2L, 2L, 0L)),
        null);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TcpTeardownProfile status = fixtures().getProfile("pods");
              assertThat(status.getStatus().podSummary()).isEqualTo(new PodSummary(5L, 5L, 0L));
              assertThat(condition(status, ProfileConditions.APPLIED).getStatus())
                  .isEqualTo("True");
            });

    fixtures().deleteProfile("pods");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(fixtures().getNodeObject("p1").getSpec().podRules()).isEmpty());
  }

  private void report(
      String node, AgentInfo agent, List<PodRuleResult> rules, List<PodConflictEntry> conflicts) {
    TcpTeardownNode object = fixtures().getNodeObject(node);
    object.setStatus(
        new TcpTeardownNodeStatus(
            object.getMetadata().getGeneration(),
            Map.of("net.ipv4.tcp_fin_timeout", "25", "net.ipv4.tcp_max_orphans", "65536"),
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
            rules,
            null,
            null));
    client().resource(object).updateStatus();
  }

  private static Condition condition(TcpTeardownProfile profile, String type) {
    return Conditions.find(profile.getStatus().conditions(), type).orElseThrow();
  }
}
