package io.tcpteardown.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What kubectl shows of the committed CRDs (crds/; the chart's copies are the same files,
 * CommittedCrdsTest): printer columns in the README's order with Ready after the identifying
 * column(s) and Age last, the category {@code tcpteardown} on both kinds, descriptions on root,
 * spec and status for {@code kubectl explain}, and {@code status.conditions} with the schema of
 * metav1.Condition as a list keyed by type.
 */
@UnitTest
class CommittedCrdKubectlUxTest {
  private static final Path CRDS = Path.of("../crds");
  private static final String PROFILES = "tcpteardownprofiles.tcpteardown.io-v1.yml";
  private static final String NODES = "tcpteardownnodes.tcpteardown.io-v1.yml";

  /** The columns after NAME, in the order README "Status" and "Apply a profile" give them. */
  private static final Map<String, List<String>> COLUMNS =
      Map.of(
          PROFILES,
          List.of("Ready", "Accepted", "Selected", "Applied", "TIME_WAIT", "Age"),
          NODES,
          List.of(
              "Profiles",
              "Ready",
              "Applied",
              "TIME_WAIT",
              "FIN_WAIT2",
              "CLOSE_WAIT",
              "Orphans",
              "Advice",
              "Age"));

  static Stream<String> files() {
    return Stream.of(PROFILES, NODES);
  }

  private static JsonNode version(String file) throws IOException {
    return new YAMLMapper()
        .readTree(CRDS.resolve(file).toFile())
        .path("spec")
        .path("versions")
        .get(0);
  }

  private static JsonNode schema(String file) throws IOException {
    return version(file).path("schema").path("openAPIV3Schema");
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(item -> texts.add(item.asText()));
    return texts;
  }

  @ParameterizedTest
  @MethodSource("files")
  void columnsAreInTheDocumentedOrderWithReadyAndAgeLast(String file) throws IOException {
    JsonNode columns = version(file).path("additionalPrinterColumns");
    List<String> names = new ArrayList<>();
    columns.forEach(column -> names.add(column.path("name").asText()));
    assertThat(names).as(file).containsExactlyElementsOf(COLUMNS.get(file));
    JsonNode age = columns.get(columns.size() - 1);
    assertThat(age.path("jsonPath").asText()).isEqualTo(".metadata.creationTimestamp");
    assertThat(age.path("type").asText()).isEqualTo("date");
    JsonNode ready = columns.get(names.indexOf("Ready"));
    assertThat(ready.path("jsonPath").asText())
        .isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
    assertThat(ready.path("type").asText()).isEqualTo("string");
  }

  @ParameterizedTest
  @MethodSource("files")
  void bothKindsAreInTheTcpteardownCategory(String file) throws IOException {
    JsonNode names =
        new YAMLMapper().readTree(CRDS.resolve(file).toFile()).path("spec").path("names");
    assertThat(texts(names.path("categories"))).as(file).containsExactly("tcpteardown");
  }

  @ParameterizedTest
  @MethodSource("files")
  void rootSpecAndStatusAreDescribedForKubectlExplain(String file) throws IOException {
    JsonNode schema = schema(file);
    assertThat(schema.path("description").asText()).as(file + ": root").hasSizeGreaterThan(80);
    assertThat(schema.path("properties").path("spec").path("description").asText())
        .as(file + ": spec")
        .hasSizeGreaterThan(80);
    assertThat(schema.path("properties").path("status").path("description").asText())
        .as(file + ": status")
        .hasSizeGreaterThan(80);
  }

  @ParameterizedTest
  @MethodSource("files")
  void conditionsHaveTheSchemaOfMetav1Condition(String file) throws IOException {
    JsonNode conditions = schema(file).path("properties").path("status").path("properties");
    conditions = conditions.path("conditions");
    assertThat(conditions.path("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(texts(conditions.path("x-kubernetes-list-map-keys"))).containsExactly("type");
    assertThat(conditions.path("maxItems").asInt()).isPositive();
    JsonNode item = conditions.path("items");
    assertThat(texts(item.path("required")))
        .containsExactlyInAnyOrder("type", "status", "lastTransitionTime", "reason", "message");
    JsonNode properties = item.path("properties");
    assertThat(texts(properties.path("status").path("enum")))
        .containsExactly("True", "False", "Unknown");
    assertThat(properties.path("type").path("pattern").asText())
        .isEqualTo(CrdFinisher.CONDITION_TYPE_PATTERN);
    assertThat(properties.path("type").path("maxLength").asLong()).isEqualTo(316);
    assertThat(properties.path("reason").path("pattern").asText())
        .isEqualTo("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
    assertThat(properties.path("reason").path("minLength").asLong()).isEqualTo(1);
    assertThat(properties.path("reason").path("maxLength").asLong()).isEqualTo(1024);
    assertThat(properties.path("message").path("maxLength").asLong()).isEqualTo(32768);
    assertThat(properties.path("lastTransitionTime").path("format").asText())
        .isEqualTo("date-time");
    assertThat(properties.path("observedGeneration").path("minimum").asDouble()).isZero();
  }

  @Test
  void theGeneratedCrdsAreAlreadyFinished() throws IOException {
    // The build ran CrdFinisher on the generator's output: finishing it again changes nothing,
    // so that CommittedCrdsTest compares the committed files with finished ones.
    KubernetesSerialization serialization = new KubernetesSerialization();
    for (var kind : CrdFinisher.KINDS) {
      String generated =
          Files.readString(
              Path.of("target/classes/META-INF/fabric8").resolve(CrdFinisher.fileName(kind)));
      assertThat(CrdFinisher.finish(serialization, generated, kind)).isEqualTo(generated);
    }
  }

  @Test
  void everyConditionReasonTheProjectWritesFitsTheSchema() throws Exception {
    // Reasons and rule names (a rejected profile's Accepted reason is its first violation's rule)
    // are constants named REASON_* or RULE_*.
    Pattern reason = Pattern.compile(CrdFinisher.CONDITION_REASON_PATTERN);
    List<String> checked = new ArrayList<>();
    for (JavaClass javaClass :
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tcpteardown")) {
      for (JavaField javaField : javaClass.getFields()) {
        var field = javaField.reflect();
        if (!Modifier.isStatic(field.getModifiers())
            || !Modifier.isFinal(field.getModifiers())
            || field.getType() != String.class) {
          continue;
        }
        field.setAccessible(true);
        String name = field.getName();
        String value = (String) field.get(null);
        String where = javaClass.getSimpleName() + "." + name + " = " + value;
        if (name.startsWith("REASON_") || name.startsWith("RULE_")) {
          assertThat(value).as(where).matches(reason).hasSizeLessThanOrEqualTo(1024);
          checked.add(where);
        }
      }
    }
    assertThat(checked).hasSizeGreaterThan(50);
    assertThat(Conditions.of("Applied", true, "Applied", null, 1L).getMessage())
        .as("a condition's message is required, and an empty one refused by a 1.20 API server")
        .isEqualTo("Applied is True: Applied.");
    assertThat(Conditions.of("Ready", false, "Pending", "", 1L).getMessage())
        .isEqualTo("Ready is False: Pending.");
  }
}
