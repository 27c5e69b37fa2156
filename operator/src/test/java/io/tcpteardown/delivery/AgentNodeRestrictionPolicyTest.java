package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.NamedRuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.tcpteardown.tier.UnitTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's ValidatingAdmissionPolicy that keeps each agent to its own node's TcpTeardownNode
 * status, as the chart renders it, its CEL evaluated with a CEL library (with the string extension
 * library Kubernetes also loads) on the requests the API server would hand it. No API server of
 * these tests enforces it: they are 1.20, the policy needs 1.30.
 */
@UnitTest
class AgentNodeRestrictionPolicyTest {
  private static final String NODE_NAME = "authentication.kubernetes.io/node-name";
  private static final String AGENT =
      "system:serviceaccount:"
          + RenderedChart.NAMESPACE
          + ":"
          + RenderedChart.RELEASE
          + "-tcp-teardown-operator-agent";

  private static RenderedChart chart;
  private static ValidatingAdmissionPolicy policy;
  private static List<CelRuntime.Program> matchConditions;
  private static List<CelRuntime.Program> validations;
  private static List<CelRuntime.Program> messages;

  @BeforeAll
  static void compileThePolicyAsRendered() throws Exception {
    chart = RenderedChart.render(Map.of("agent.nodeRestrictionPolicy", true));
    policy = chart.one(ValidatingAdmissionPolicy.class, "-agent-node-restriction");
    CelCompiler compiler =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addLibraries(CelExtensions.strings())
            .addVar("request", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();
    CelRuntime runtime =
        CelRuntimeFactory.standardCelRuntimeBuilder().addLibraries(CelExtensions.strings()).build();
    matchConditions =
        policy.getSpec().getMatchConditions().stream()
            .map(c -> program(compiler, runtime, c.getExpression()))
            .toList();
    validations =
        policy.getSpec().getValidations().stream()
            .map(v -> program(compiler, runtime, v.getExpression()))
            .toList();
    messages =
        policy.getSpec().getValidations().stream()
            .map(v -> program(compiler, runtime, v.getMessageExpression()))
            .toList();
    assertThat(matchConditions).hasSize(1);
    assertThat(validations).hasSize(1);
  }

  private static CelRuntime.Program program(
      CelCompiler compiler, CelRuntime runtime, String expression) {
    try {
      return runtime.createProgram(compiler.compile(expression).getAst());
    } catch (Exception e) {
      throw new AssertionError("does not compile: " + expression, e);
    }
  }

  /** A request on tcpteardownnodes/status as admission sees it; extra absent when null. */
  private static Map<String, Object> request(
      String username, Map<String, List<String>> extra, String name) {
    Map<String, Object> userInfo = new HashMap<>();
    userInfo.put("username", username);
    if (extra != null) {
      userInfo.put("extra", extra);
    }
    return Map.of(
        "userInfo",
        userInfo,
        "name",
        name,
        "subResource",
        "status",
        "resource",
        Map.of("group", "tcpteardown.io", "resource", "tcpteardownnodes"));
  }

  /** Empty when admitted, else the message the API server would give. */
  private static Optional<String> refusal(Map<String, Object> request) throws Exception {
    for (CelRuntime.Program condition : matchConditions) {
      if (!(Boolean) condition.eval(Map.of("request", request))) {
        return Optional.empty();
      }
    }
    for (int i = 0; i < validations.size(); i++) {
      if (!(Boolean) validations.get(i).eval(Map.of("request", request))) {
        return Optional.of((String) messages.get(i).eval(Map.of("request", request)));
      }
    }
    return Optional.empty();
  }

  @Test
  void anAgentWritesTheStatusOfItsOwnNode() throws Exception {
    assertThat(refusal(request(AGENT, Map.of(NODE_NAME, List.of("node-a")), "node-a"))).isEmpty();
  }

  @Test
  void anAgentIsRefusedTheStatusOfAnotherNode() throws Exception {
    assertThat(refusal(request(AGENT, Map.of(NODE_NAME, List.of("node-b")), "node-a")))
        .hasValueSatisfying(
            m ->
                assertThat(m).contains("its token names node node-b", "the request writes node-a"));
  }

  @Test
  void aTokenWithoutANodeIsRefused() throws Exception {
    assertThat(refusal(request(AGENT, null, "node-a")))
        .hasValueSatisfying(m -> assertThat(m).contains("names no node", "1.30", "node-a"));
    assertThat(refusal(request(AGENT, Map.of(), "node-a"))).isPresent();
    assertThat(
            refusal(
                request(
                    AGENT,
                    Map.of("authentication.kubernetes.io/pod-name", List.of("agent-x")),
                    "node-a")))
        .isPresent();
    assertThat(refusal(request(AGENT, Map.of(NODE_NAME, List.of()), "node-a"))).isPresent();
    assertThat(refusal(request(AGENT, Map.of(NODE_NAME, List.of("node-a", "node-b")), "node-a")))
        .isPresent();
  }

  @Test
  void otherUsersAreUnaffected() throws Exception {
    for (String user :
        List.of(
            "system:serviceaccount:"
                + RenderedChart.NAMESPACE
                + ":"
                + RenderedChart.RELEASE
                + "-tcp-teardown-operator-operator",
            "system:serviceaccount:other:" + RenderedChart.RELEASE + "-tcp-teardown-operator-agent",
            "kubernetes-admin")) {
      assertThat(refusal(request(user, null, "node-a"))).as(user).isEmpty();
      assertThat(refusal(request(user, Map.of(NODE_NAME, List.of("node-b")), "node-a")))
          .as(user)
          .isEmpty();
    }
  }

  @Test
  void itCoversTheStatusOfTcpTeardownNodesOfTheDaemonSetsAccountFailingClosed() {
    assertThat(policy.getSpec().getFailurePolicy()).isEqualTo("Fail");
    NamedRuleWithOperations rule =
        policy.getSpec().getMatchConstraints().getResourceRules().getFirst();
    assertThat(rule.getApiGroups()).containsExactly("tcpteardown.io");
    assertThat(rule.getResources()).containsExactly("tcpteardownnodes/status");
    assertThat(rule.getOperations()).contains("UPDATE");
    String account =
        chart
            .one(DaemonSet.class, "-agent")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getServiceAccountName();
    assertThat(AGENT).endsWith(":" + account);
    ValidatingAdmissionPolicyBinding binding =
        chart.one(ValidatingAdmissionPolicyBinding.class, "-agent-node-restriction");
    assertThat(binding.getSpec().getPolicyName()).isEqualTo(policy.getMetadata().getName());
    assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
  }
}
