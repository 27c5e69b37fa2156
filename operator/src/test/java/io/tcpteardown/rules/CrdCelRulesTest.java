package io.tcpteardown.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The x-kubernetes-validations shipped in the committed CRD, evaluated with a CEL library: the test
 * API server predates CEL, newer ones enforce these rules at kubectl apply.
 */
@UnitTest
class CrdCelRulesTest {
  private record Rule(String expression, String message, CelRuntime.Program program) {}

  private static final List<Rule> RULES = new ArrayList<>();
  private static final List<Rule> SELECTOR_RULES = new ArrayList<>();
  private static final List<Rule> LABEL_RULES = new ArrayList<>();

  @BeforeAll
  static void compileRulesFromTheCommittedCrd() throws Exception {
    JsonNode crd =
        new YAMLMapper()
            .readTree(Path.of("../crds/tcpteardownprofiles.tcpteardown.io-v1.yml").toFile());
    JsonNode validations =
        crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/x-kubernetes-validations");
    CelCompiler compiler =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();
    CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    for (JsonNode validation : validations) {
      String expression = validation.get("rule").asText();
      RULES.add(
          new Rule(
              expression,
              validation.get("message").asText(),
              runtime.createProgram(compiler.compile(expression).getAst())));
    }
    assertThat(RULES)
        .extracting(Rule::expression)
        .containsExactly(
            io.tcpteardown.api.ProfileCelRules.NO_TW_RECYCLE,
            io.tcpteardown.api.ProfileCelRules.REUSE_NEEDS_TIMESTAMPS,
            io.tcpteardown.api.ProfileCelRules.CHILD_EHASH_FLOOR,
            io.tcpteardown.api.ProfileCelRules.CHILD_EHASH_TWICE_TW);
    JsonNode items =
        crd.at(
            "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/nodeSelector"
                + "/properties/matchExpressions/items");
    for (JsonNode validation : items.path("x-kubernetes-validations")) {
      String expression = validation.get("rule").asText();
      SELECTOR_RULES.add(
          new Rule(
              expression,
              validation.get("message").asText(),
              runtime.createProgram(compiler.compile(expression).getAst())));
    }
    assertThat(SELECTOR_RULES)
        .extracting(Rule::expression)
        .containsExactly(
            io.tcpteardown.api.ProfileCelRules.SELECTOR_VALUES,
            io.tcpteardown.api.ProfileCelRules.VALUE_LENGTHS);
    for (JsonNode validation :
        crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/nodeSelector")
            .path("x-kubernetes-validations")) {
      String expression = validation.get("rule").asText();
      LABEL_RULES.add(
          new Rule(
              expression,
              validation.get("message").asText(),
              runtime.createProgram(compiler.compile(expression).getAst())));
    }
    assertThat(LABEL_RULES)
        .extracting(Rule::expression)
        .containsExactly(io.tcpteardown.api.ProfileCelRules.LABEL_LENGTHS);
    List<String> everywhere = new ArrayList<>();
    collectRules(crd.at("/spec/versions/0/schema/openAPIV3Schema"), everywhere);
    assertThat(new java.util.LinkedHashSet<>(everywhere))
        .as("every CEL rule of the CRD is tested here")
        .hasSize(RULES.size() + SELECTOR_RULES.size() + LABEL_RULES.size());
    // The selector rules hold on every selector: spec.nodeSelector and both of spec.pods.
    for (Rule rule : SELECTOR_RULES) {
      assertThat(everywhere).filteredOn(rule.expression()::equals).hasSize(3);
    }
    assertThat(everywhere).filteredOn(LABEL_RULES.getFirst().expression()::equals).hasSize(3);
  }

  @Test
  void labelAndValueLengthRulesAgreeWithTheirJavaTwinAtKubernetesBounds() throws Exception {
    String key317 = "a".repeat(253) + "/" + "b".repeat(63);
    String key318 = "a".repeat(254) + "/" + "b".repeat(63);
    String value63 = "v".repeat(63);
    String value64 = "v".repeat(64);
    for (String key : List.of("k", key317, key318)) {
      for (String value : List.of("", value63, value64)) {
        boolean cel =
            (Boolean)
                LABEL_RULES
                    .getFirst()
                    .program()
                    .eval(Map.of("self", Map.of("matchLabels", Map.of(key, value))));
        var selector = new io.tcpteardown.api.NodeSelector(Map.of(key, value), null);
        boolean java =
            SafetyRules.validateSelector(selector).stream()
                .noneMatch(v -> v.rule().equals(SafetyRules.RULE_LABEL_LENGTH));
        assertThat(cel).as("%d, %d", key.length(), value.length()).isEqualTo(java);
        assertThat(cel).isEqualTo(key.length() <= 317 && value.length() <= 63);
      }
      boolean celValues =
          (Boolean)
              SELECTOR_RULES
                  .get(1)
                  .program()
                  .eval(
                      Map.of(
                          "self",
                          Map.of("key", "k", "operator", "In", "values", List.of(value63, key))));
      boolean javaValues =
          SafetyRules.validateSelector(
                  new io.tcpteardown.api.NodeSelector(
                      null,
                      List.of(
                          new io.tcpteardown.api.NodeSelectorRequirement(
                              "k", "In", List.of(value63, key)))))
              .stream()
              .noneMatch(v -> v.rule().equals(SafetyRules.RULE_LABEL_LENGTH));
      assertThat(celValues).isEqualTo(javaValues).isEqualTo(key.length() <= 63);
    }
    assertThat((Boolean) LABEL_RULES.getFirst().program().eval(Map.of("self", Map.of()))).isTrue();
  }

  private static void collectRules(JsonNode schema, List<String> rules) {
    schema.path("x-kubernetes-validations").forEach(v -> rules.add(v.path("rule").asText()));
    schema.path("properties").forEach(p -> collectRules(p, rules));
    if (schema.has("items")) {
      collectRules(schema.get("items"), rules);
    }
    if (schema.path("additionalProperties").isObject()) {
      collectRules(schema.get("additionalProperties"), rules);
    }
  }

  private static boolean selectorRuleHolds(Map<String, Object> requirement) throws Exception {
    return (Boolean) SELECTOR_RULES.getFirst().program().eval(Map.of("self", requirement));
  }

  /** The Java twin: SafetyRules' SelectorValues violation on the same requirement. */
  private static boolean javaSelectorRuleHolds(String key, String operator, List<String> values) {
    var spec =
        new io.tcpteardown.api.TcpTeardownProfileSpec(
            new io.tcpteardown.api.NodeSelector(
                null,
                List.of(new io.tcpteardown.api.NodeSelectorRequirement(key, operator, values))),
            null,
            null,
            30,
            null,
            null,
            null,
            null,
            null);
    return SafetyRules.validate(spec).stream()
        .noneMatch(v -> v.rule().equals(SafetyRules.RULE_SELECTOR_VALUES));
  }

  @Test
  void selectorValuesRuleAgreesWithItsJavaTwinOnEveryOperatorAndValueCount() throws Exception {
    for (String operator : List.of("In", "NotIn", "Exists", "DoesNotExist")) {
      for (List<String> values : List.of(List.<String>of(), List.of("a"), List.of("a", "b"))) {
        Map<String, Object> withValues = Map.of("key", "k", "operator", operator, "values", values);
        assertThat(selectorRuleHolds(withValues))
            .as("%s %s", operator, values)
            .isEqualTo(javaSelectorRuleHolds("k", operator, values))
            .isEqualTo(
                operator.startsWith("In") || operator.startsWith("Not")
                    ? !values.isEmpty()
                    : values.isEmpty());
      }
      Map<String, Object> without = Map.of("key", "k", "operator", operator);
      assertThat(selectorRuleHolds(without))
          .as("%s without values", operator)
          .isEqualTo(javaSelectorRuleHolds("k", operator, null));
    }
  }

  @Test
  void selectorRuleMessageNamesTheFieldAndTheFix() {
    // One rule serves the node selector and both pod selectors; the API server puts the path of
    // the failing item (spec.pods.podSelector.matchExpressions[0], ...) before the message, so the
    // message must not name one of them.
    assertThat(SELECTOR_RULES.getFirst().message())
        .contains("matchExpressions item", "In and NotIn", "Exists");
    assertThat(SELECTOR_RULES.get(1).message()).contains("matchExpressions item", "63", "shorten");
    assertThat(LABEL_RULES.getFirst().message()).contains("matchLabels", "317", "63", "shorten");
    assertThat(List.of(SELECTOR_RULES.getFirst(), SELECTOR_RULES.get(1), LABEL_RULES.getFirst()))
        .allSatisfy(
            rule ->
                assertThat(rule.message())
                    .doesNotContain("nodeSelector", "podSelector", "namespaceSelector"));
  }

  private static List<String> failures(Map<String, Object> spec) throws Exception {
    List<String> messages = new ArrayList<>();
    for (Rule rule : RULES) {
      if (!(Boolean) rule.program().eval(Map.of("self", spec))) {
        messages.add(rule.message());
      }
    }
    return messages;
  }

  @Test
  void twRecycleTrueIsRejected() throws Exception {
    assertThat(failures(Map.of("twRecycle", true)))
        .singleElement()
        .asString()
        .contains("spec.twRecycle: true is rejected", "Linux 4.12", "NAT", "twReuse");
  }

  @Test
  void twRecycleFalseOrAbsentIsAccepted() throws Exception {
    assertThat(failures(Map.of("twRecycle", false))).isEmpty();
    assertThat(failures(Map.of("finTimeoutSeconds", 30L))).isEmpty();
    assertThat(failures(Map.of())).isEmpty();
  }

  @Test
  void reuseWithTimestampsDisabledIsRejected() throws Exception {
    assertThat(failures(Map.of("twReuse", "Enabled", "timestamps", "Disabled")))
        .singleElement()
        .asString()
        .contains("twReuse", "timestamps: Disabled");
    assertThat(failures(Map.of("twReuse", "LoopbackOnly", "timestamps", "Disabled"))).hasSize(1);
  }

  @Test
  void reuseWithTimestampsOnOrUnsetOrReuseDisabledIsAccepted() throws Exception {
    assertThat(failures(Map.of("twReuse", "Enabled", "timestamps", "Enabled"))).isEmpty();
    assertThat(failures(Map.of("twReuse", "Enabled", "timestamps", "EnabledWithoutOffsets")))
        .isEmpty();
    assertThat(failures(Map.of("twReuse", "Enabled"))).isEmpty();
    assertThat(failures(Map.of("twReuse", "Disabled", "timestamps", "Disabled"))).isEmpty();
  }

  @Test
  void bothRulesReportTogether() throws Exception {
    assertThat(failures(Map.of("twRecycle", true, "twReuse", "Enabled", "timestamps", "Disabled")))
        .hasSize(2);
  }

  @Test
  void javaRulesAgreeWithTheCelRules() throws Exception {
    var spec =
        new io.tcpteardown.api.TcpTeardownProfileSpec(
            null,
            null,
            null,
            null,
            null,
            null,
            io.tcpteardown.api.TwReuse.LoopbackOnly,
            io.tcpteardown.api.Timestamps.Disabled,
            true);
    assertThat(SafetyRules.validate(spec))
        .extracting(Violation::rule)
        .containsExactly(SafetyRules.RULE_TW_RECYCLE, SafetyRules.RULE_REUSE_TIMESTAMPS);
    assertThat(
            failures(
                Map.of("twRecycle", true, "twReuse", "LoopbackOnly", "timestamps", "Disabled")))
        .hasSize(2);
  }

  @Test
  void childEhashRulesAgreeWithTheirJavaTwinsAroundEveryBound() throws Exception {
    var pods = new io.tcpteardown.api.ProfilePods(null, null, null);
    List<Integer> entries = List.of(0, 1, 1024, 8191, 8192, 8193, 16383, 16384, 65536);
    for (int e : entries) {
      for (Integer tw :
          new java.util.ArrayList<>(java.util.Arrays.asList(null, 4096, 4097, 8192, 32768))) {
        for (boolean withPods : List.of(false, true)) {
          Map<String, Object> self = new java.util.HashMap<>();
          self.put("childEhashEntries", (long) e);
          if (tw != null) {
            self.put("maxTwBuckets", (long) tw);
          }
          if (withPods) {
            self.put("pods", Map.of());
          }
          List<String> cel = failures(self);
          var spec =
              new io.tcpteardown.api.TcpTeardownProfileSpec(
                  null, null, null, null, null, tw, null, null, null, withPods ? pods : null, e);
          List<String> java =
              SafetyRules.validate(spec).stream()
                  .map(Violation::rule)
                  .filter(
                      r ->
                          r.equals(SafetyRules.RULE_CHILD_EHASH_FLOOR)
                              || r.equals(SafetyRules.RULE_CHILD_EHASH_TW))
                  .toList();
          boolean floorHolds = e == 0 || e >= 8192;
          boolean twiceHolds = e == 0 || !withPods || tw == null || e >= 2L * tw;
          assertThat(cel.size())
              .as("entries %d, maxTwBuckets %s, pods %s", e, tw, withPods)
              .isEqualTo(java.size())
              .isEqualTo((floorHolds ? 0 : 1) + (twiceHolds ? 0 : 1));
        }
      }
    }
  }

  @Test
  void childEhashRuleMessagesNameTheFieldAndTheFix() throws Exception {
    assertThat(failures(Map.of("childEhashEntries", 1024L)))
        .singleElement()
        .asString()
        .contains("spec.childEhashEntries", "0", "8192", "tcp_max_tw_buckets");
    assertThat(
            failures(Map.of("childEhashEntries", 16384L, "maxTwBuckets", 10000L, "pods", Map.of())))
        .singleElement()
        .asString()
        .contains("twice spec.maxTwBuckets", "spec.pods");
  }
}
