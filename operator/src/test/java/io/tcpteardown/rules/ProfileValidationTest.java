package io.tcpteardown.rules;

import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one validation path, on typed profiles (as the operator reads them) and on documents. */
@UnitTest
class ProfileValidationTest {
  private static final NodeFacts WEB = new NodeFacts("web-1", "u1", Map.of("tier", "web"), null);
  private static final YAMLMapper YAML = new YAMLMapper();

  private static TcpTeardownProfile profile(String name, NodeSelector selector, int finTimeout) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(name).build());
    profile.setSpec(
        new TcpTeardownProfileSpec(selector, null, null, finTimeout, null, null, null, null, null));
    return profile;
  }

  private static NodeSelector requirement(String key, String operator, List<String> values) {
    return new NodeSelector(
        null, Arrays.asList(new NodeSelectorRequirement(key, operator, values)));
  }

  @Test
  void aRequirementWithoutOperatorIsRejectedNamingTheField() {
    List<Violation> violations =
        ProfileValidation.validate(profile("bad", requirement("tier", null, null), 30));
    assertThat(violations)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("spec.nodeSelector.matchExpressions[0].operator");
              assertThat(v.rule()).isEqualTo(StructuralSchema.RULE_REQUIRED);
              assertThat(v.message())
                  .startsWith("spec.nodeSelector.matchExpressions[0].operator: Required value")
                  .contains("DoesNotExist, Exists, In, NotIn");
            });
  }

  @Test
  void oneBrokenProfileDoesNotStopResolutionForTheOthers() {
    TcpTeardownProfile broken = profile("a-broken", requirement("tier", null, null), 30);
    TcpTeardownProfile good = profile("b-good", null, 45);
    NodeResolution resolution = Resolver.resolve(WEB, List.of(broken, good));
    assertThat(resolution.settings().finTimeoutSeconds()).isEqualTo(45);
    assertThat(resolution.profiles()).containsExactly("b-good");
    assertThat(Resolver.selects(broken, WEB)).isFalse();
  }

  @Test
  void nullsAnywhereInTheSelectorAreRejectedAndNeverThrow() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("tier", null);
    List<NodeSelector> selectors =
        List.of(
            new NodeSelector(nullValue, null),
            new NodeSelector(null, Arrays.asList((NodeSelectorRequirement) null)),
            requirement(null, "Exists", null),
            requirement("tier", "In", Arrays.asList("web", null)),
            requirement("tier", "Equals", List.of("web")),
            requirement("", "Exists", null),
            requirement("tier", "In", List.of()),
            requirement("tier", "Exists", List.of("web")));
    for (NodeSelector selector : selectors) {
      TcpTeardownProfile broken = profile("broken", selector, 30);
      assertThatCode(() -> Resolver.resolve(WEB, List.of(broken, profile("good", null, 45))))
          .doesNotThrowAnyException();
      assertThat(ProfileValidation.validate(broken))
          .as("%s", selector)
          .isNotEmpty()
          .allSatisfy(v -> assertThat(v.field()).startsWith("spec.nodeSelector"))
          .allSatisfy(v -> assertThat(v.message()).startsWith(v.field()));
      assertThat(Resolver.resolve(WEB, List.of(broken)).profiles()).isEmpty();
    }
  }

  @Test
  void aWellFormedSelectorIsAccepted() {
    assertThat(
            ProfileValidation.validate(
                profile("ok", requirement("tier", "In", List.of("web")), 30)))
        .isEmpty();
    assertThat(
            ProfileValidation.validate(profile("ok", requirement("gpu", "DoesNotExist", null), 30)))
        .isEmpty();
    assertThat(ProfileValidation.validate(profile("ok", new NodeSelector(Map.of(), List.of()), 30)))
        .isEmpty();
  }

  private static ProfileValidation.Result document(String spec) throws Exception {
    JsonNode node =
        YAML.readTree(
            "apiVersion: tcpteardown.io/v1alpha1\nkind: TcpTeardownProfile\nmetadata:\n  name: p\n"
                + "spec:\n"
                + spec.indent(2));
    return ProfileValidation.validateDocument(node);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "finTimeoutSeconds: 30.7 | spec.finTimeoutSeconds | WrongType",
        "finTimeoutSeconds: '5' | spec.finTimeoutSeconds | WrongType",
        "twReuse: 1 | spec.twReuse | WrongType",
        "twReuse: enabled | spec.twReuse | NotSupported",
        "twRecycle: 'true' | spec.twRecycle | WrongType",
        "priority: 1001 | spec.priority | OutOfRange",
        "finTimeout: 30 | spec.finTimeout | UnknownField",
        "nodeSelector: [] | spec.nodeSelector | WrongType",
        "nodeSelector: {matchLabels: {tier: null}} | spec.nodeSelector.matchLabels.tier | NullValue",
        "nodeSelector: {matchLabels: {tier: 1}} | spec.nodeSelector.matchLabels.tier | WrongType",
        "nodeSelector: {matchExpressions: [null]} | spec.nodeSelector.matchExpressions[0] | NullValue",
        "nodeSelector: {matchExpressions: [{key: tier}]} | spec.nodeSelector.matchExpressions[0].operator | Required",
        "nodeSelector: {matchExpressions: [{operator: Exists}]} | spec.nodeSelector.matchExpressions[0].key | Required",
        "nodeSelector: {matchExpressions: [{key: '', operator: Exists}]} | spec.nodeSelector.matchExpressions[0].key | Length",
        "nodeSelector: {matchExpressions: [{key: a, operator: in, values: [x]}]} | spec.nodeSelector.matchExpressions[0].operator | NotSupported",
        "nodeSelector: {matchExpressions: [{key: a, operator: In}]} | spec.nodeSelector.matchExpressions[0].values | SelectorValues",
        "nodeSelector: {matchExpressions: [{key: a, operator: In, values: []}]} | spec.nodeSelector.matchExpressions[0].values | SelectorValues",
        "nodeSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]} | spec.nodeSelector.matchExpressions[0].values | SelectorValues",
        "nodeSelector: {matchExpressions: [{key: a, operator: In, values: [null]}]} | spec.nodeSelector.matchExpressions[0].values[0] | NullValue",
        "nodeSelector: null | spec.nodeSelector | NullValue",
        "nodeSelector: {matchLabels: {tier: ''}} | spec.nodeSelector.matchLabels.tier | EmptyString",
        "nodeSelector: {matchExpressions: [{key: a, operator: In, values: ['']}]} | spec.nodeSelector.matchExpressions[0].values[0] | EmptyString",
        "{twRecycle: true, finTimeoutSeconds: x} | spec.twRecycle | TwRecycleRemoved",
      })
  void documentsAreCheckedAsStrictlyAsTheApiServer(String spec, String field, String rule)
      throws Exception {
    ProfileValidation.Result result = document(spec);
    assertThat(result.violations())
        .as(spec)
        .anySatisfy(
            v -> {
              assertThat(v.field()).isEqualTo(field);
              assertThat(v.rule()).isEqualTo(rule);
              assertThat(v.message()).startsWith(field);
            });
    assertThat(result.accepted()).isFalse();
  }

  @Test
  void wellFormedDocumentsAreAcceptedWithTheirDefaults() throws Exception {
    ProfileValidation.Result result =
        document(
            "finTimeoutSeconds: 30\ntwReuse: Enabled\ntimestamps: Enabled\n"
                + "nodeSelector: {matchLabels: {tier: web}, matchExpressions: [{key: gpu, operator:"
                + " DoesNotExist}]}");
    assertThat(result.violations()).isEmpty();
    assertThat(result.spec().finTimeoutSeconds()).isEqualTo(30);
    assertThat(result.spec().priority()).isZero();
  }

  @Test
  void metadataNeedsAValidName() throws Exception {
    for (String metadata : List.of("{}", "{name: ''}", "{name: Web_1}", "{name: 5}", "null")) {
      JsonNode node =
          YAML.readTree(
              "apiVersion: tcpteardown.io/v1alpha1\nkind: TcpTeardownProfile\nmetadata: "
                  + metadata
                  + "\nspec: {finTimeoutSeconds: 30}");
      assertThat(ProfileValidation.validateDocument(node).violations())
          .as(metadata)
          .singleElement()
          .satisfies(v -> assertThat(v.field()).startsWith("metadata"));
    }
  }

  @Test
  void theSchemaOnTheClasspathIsTheCommittedOne() throws Exception {
    JsonNode committed =
        YAML.readTree(Path.of("../crds/tcpteardownprofiles.tcpteardown.io-v1.yml").toFile());
    assertThat(ProfileValidation.specSchema().node())
        .isEqualTo(committed.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec"));
  }

  @Test
  void typedSpecsFromTheHelperAreAccepted() {
    assertThat(ProfileValidation.validateSpec(spec().finTimeoutSeconds(30).build())).isEmpty();
  }
}
