package io.tcpteardown.rules;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one validation path of a profile, used by {@code validate} and by the operator alike: the
 * committed CRD schema (as generated from the API types and shipped on the classpath), then the CEL
 * rules (their Java twins in {@link SafetyRules}), then the safety rules. Total: it answers for any
 * input, never throws.
 */
public final class ProfileValidation {
  /** Where the CRD generator puts the profile CRD, on the classpath of every component. */
  public static final String CRD_RESOURCE =
      "META-INF/fabric8/tcpteardownprofiles.tcpteardown.io-v1.yml";

  public static final String API_VERSION =
      TcpTeardownProfile.GROUP + "/" + TcpTeardownProfile.VERSION;
  public static final String KIND = "TcpTeardownProfile";
  public static final String RULE_WRONG_KIND = "WrongKind";
  public static final String RULE_NAME = "InvalidName";

  private static final int MAX_NAME_LENGTH = 253;
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern QUALIFIED_NAME =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  private static final StructuralSchema SPEC = loadSchema().property("spec");

  private ProfileValidation() {}

  /** The schema of the profile's spec in the CRD on the classpath. */
  public static StructuralSchema specSchema() {
    return SPEC;
  }

  /**
   * A profile as the API server holds it (possibly stored under an older, looser CRD): the spec
   * against the schema, then the CEL rules and the safety rules.
   */
  public static List<Violation> validate(TcpTeardownProfile profile) {
    if (profile == null) {
      return List.of(new Violation("", "null", RULE_WRONG_KIND, "no profile."));
    }
    if (profile.getSpec() == null) {
      return List.of(missingSpec());
    }
    return validateSpec(profile.getSpec());
  }

  /** A typed spec: what it would be as JSON against the schema, then the rules. */
  public static List<Violation> validateSpec(TcpTeardownProfileSpec spec) {
    if (spec == null) {
      return List.of(missingSpec());
    }
    return List.copyOf(check(spec));
  }

  private static List<Violation> check(TcpTeardownProfileSpec spec) {
    JsonNode tree;
    try {
      tree = JSON.valueToTree(spec);
    } catch (RuntimeException e) {
      return List.of(new Violation("spec", "", StructuralSchema.RULE_TYPE, "spec: " + e));
    }
    List<Violation> violations = new ArrayList<>(SPEC.validate(tree, "spec"));
    if (violations.isEmpty()) {
      return SafetyRules.validate(spec);
    }
    return withRulesOfTheRest(violations, tree);
  }

  /**
   * The API server reports schema and CEL violations together; so does this path: the rules run on
   * the spec without the fields the schema refused, and add what they find about the others.
   */
  private static List<Violation> withRulesOfTheRest(List<Violation> schema, JsonNode spec) {
    List<Violation> violations = new ArrayList<>(schema);
    ObjectNode rest = ((ObjectNode) spec).deepCopy();
    for (Violation violation : schema) {
      String field = violation.field();
      if (field.startsWith("spec.")) {
        rest.remove(field.substring(5).split("[.\\[]", 2)[0]);
      }
    }
    try {
      TcpTeardownProfileSpec readable = JSON.treeToValue(rest, TcpTeardownProfileSpec.class);
      for (Violation rule : SafetyRules.validate(readable)) {
        if (violations.stream().noneMatch(v -> v.field().equals(rule.field()))) {
          violations.add(rule);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the schema's violations already say what is wrong
    }
    return violations;
  }

  /**
   * A profile document as written in a file (one YAML document as a tree): kind and apiVersion,
   * metadata.name, the spec against the schema, then the CEL rules and the safety rules. {@code
   * status} is ignored, as the API server ignores it on the main resource.
   */
  public static Result validateDocument(JsonNode document) {
    List<Violation> violations = new ArrayList<>();
    if (document == null || !document.isObject()) {
      violations.add(
          new Violation(
              "",
              String.valueOf(document),
              RULE_WRONG_KIND,
              "the document is not a map: a profile is a map with apiVersion: "
                  + API_VERSION
                  + ", kind: "
                  + KIND
                  + ", metadata.name and spec."));
      return new Result(null, null, violations);
    }
    String name =
        document.path("metadata").path("name").isTextual()
            ? document.path("metadata").path("name").asText()
            : null;
    String kind = document.path("kind").isTextual() ? document.path("kind").asText() : "";
    String apiVersion =
        document.path("apiVersion").isTextual() ? document.path("apiVersion").asText() : "";
    if (!kind.equals(KIND) || !apiVersion.equals(API_VERSION)) {
      violations.add(
          new Violation(
              "kind",
              apiVersion + "/" + kind,
              RULE_WRONG_KIND,
              "kind: "
                  + document.path("kind")
                  + " and apiVersion: "
                  + document.path("apiVersion")
                  + " are not a profile: expected kind: "
                  + KIND
                  + " and apiVersion: "
                  + API_VERSION
                  + "."));
      return new Result(name, null, violations);
    }
    Iterator<String> fields = document.fieldNames();
    while (fields.hasNext()) {
      String field = fields.next();
      if (!List.of("apiVersion", "kind", "metadata", "spec", "status").contains(field)) {
        violations.add(
            new Violation(
                field,
                field,
                StructuralSchema.RULE_UNKNOWN_FIELD,
                field
                    + ": unknown field \""
                    + field
                    + "\": the API server refuses it with strict field validation. Known fields"
                    + " here: apiVersion, kind, metadata, spec."));
      }
    }
    violations.addAll(metadata(document.get("metadata")));
    JsonNode specNode = document.get("spec");
    if (specNode == null || specNode.isNull()) {
      violations.add(missingSpec());
      return new Result(name, null, violations);
    }
    List<Violation> schema = SPEC.validate(specNode, "spec");
    if (!schema.isEmpty()) {
      violations.addAll(specNode.isObject() ? withRulesOfTheRest(schema, specNode) : schema);
      return new Result(name, null, violations);
    }
    TcpTeardownProfileSpec spec;
    try {
      spec = JSON.treeToValue(withDefaults(specNode), TcpTeardownProfileSpec.class);
    } catch (IOException | RuntimeException e) {
      violations.add(
          new Violation(
              "spec",
              "",
              StructuralSchema.RULE_TYPE,
              "spec: cannot be read although the schema admits it: "
                  + e.getMessage().lines().findFirst().orElse("")
                  + ". Report this as a bug."));
      return new Result(name, null, violations);
    }
    violations.addAll(SafetyRules.validate(spec));
    return new Result(name, spec, violations);
  }

  /** A checked document: its name (null when missing), its spec when readable, the violations. */
  public record Result(String name, TcpTeardownProfileSpec spec, List<Violation> violations) {
    public boolean accepted() {
      return violations.isEmpty();
    }
  }

  private static List<Violation> metadata(JsonNode metadata) {
    List<Violation> violations = new ArrayList<>();
    if (metadata == null || metadata.isNull() || !metadata.isObject()) {
      violations.add(
          new Violation(
              "metadata",
              String.valueOf(metadata),
              StructuralSchema.RULE_REQUIRED,
              "metadata: Required value: a profile needs metadata with a name. Add metadata:"
                  + " {name: NAME}."));
      return violations;
    }
    JsonNode name = metadata.get("name");
    if (name == null || name.isNull() || (name.isTextual() && name.asText().isEmpty())) {
      violations.add(
          new Violation(
              "metadata.name",
              "",
              StructuralSchema.RULE_REQUIRED,
              "metadata.name: Required value: a profile needs a name. Add metadata.name, lower"
                  + " case letters, digits, '-' and '.'."));
    } else if (!name.isTextual()) {
      violations.add(
          new Violation(
              "metadata.name",
              name.toString(),
              StructuralSchema.RULE_TYPE,
              "metadata.name: " + name + " is not a string. Write the name as a string."));
    } else if (name.asText().length() > MAX_NAME_LENGTH
        || !DNS_SUBDOMAIN.matcher(name.asText()).matches()) {
      violations.add(
          new Violation(
              "metadata.name",
              name.asText(),
              RULE_NAME,
              "metadata.name: \""
                  + name.asText()
                  + "\" is not a valid name: at most 253 lower case letters, digits, '-' and '.',"
                  + " starting and ending with a letter or digit. Rename the profile."));
    }
    for (String map : List.of("labels", "annotations")) {
      JsonNode entries = metadata.get(map);
      if (entries == null) {
        continue;
      }
      if (!entries.isObject()) {
        violations.add(
            new Violation(
                "metadata." + map,
                entries.toString(),
                StructuralSchema.RULE_TYPE,
                "metadata." + map + ": expected a map of strings. Write " + map + " as a map."));
        continue;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = entries.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        String field = "metadata." + map + "." + entry.getKey();
        if (!isQualifiedName(entry.getKey())) {
          violations.add(
              new Violation(
                  field,
                  entry.getKey(),
                  RULE_NAME,
                  field
                      + ": \""
                      + entry.getKey()
                      + "\" is not a valid key: an optional DNS prefix and '/', then at most 63"
                      + " letters, digits, '-', '_' and '.', starting and ending with a letter or"
                      + " digit. Rename the key."));
        }
        if (entry.getValue().isTextual()
            && map.equals("labels")
            && (entry.getValue().asText().length() > 63
                || !LABEL_VALUE.matcher(entry.getValue().asText()).matches())) {
          violations.add(
              new Violation(
                  field,
                  entry.getValue().asText(),
                  RULE_NAME,
                  field
                      + ": \""
                      + abbreviate(entry.getValue().asText())
                      + "\" is not a valid label value: at most 63 letters, digits, '-', '_' and"
                      + " '.', starting and ending with a letter or digit, or empty. Shorten it, or"
                      + " move it to an annotation."));
        }
        if (!entry.getValue().isTextual()) {
          violations.add(
              new Violation(
                  field,
                  entry.getValue().toString(),
                  StructuralSchema.RULE_TYPE,
                  field
                      + ": "
                      + entry.getValue()
                      + " is not a string. Quote the value (\"true\", \"1\")."));
        }
      }
    }
    return violations;
  }

  private static boolean isQualifiedName(String key) {
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty()
          || prefix.length() > MAX_NAME_LENGTH
          || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        return false;
      }
    }
    return !name.isEmpty() && name.length() <= 63 && QUALIFIED_NAME.matcher(name).matches();
  }

  private static String abbreviate(String text) {
    return text.length() <= 70 ? text : text.substring(0, 67) + "...";
  }

  /** The spec with the schema's defaults filled in, as the API server would store it. */
  private static JsonNode withDefaults(JsonNode spec) {
    ObjectNode copy = ((ObjectNode) spec).deepCopy();
    SPEC.node()
        .path("properties")
        .fields()
        .forEachRemaining(
            property -> {
              JsonNode defaultValue = property.getValue().get("default");
              if (defaultValue != null && !copy.has(property.getKey())) {
                copy.set(property.getKey(), defaultValue);
              }
            });
    return copy;
  }

  private static Violation missingSpec() {
    return new Violation(
        "spec",
        "",
        StructuralSchema.RULE_REQUIRED,
        "spec: Required value: a profile needs a spec with at least one teardown setting. Add"
            + " spec.");
  }

  private static StructuralSchema loadSchema() {
    try (InputStream in =
        ProfileValidation.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(CRD_RESOURCE + " is not on the classpath");
      }
      JsonNode crd = new YAMLMapper().readTree(in);
      for (JsonNode version : crd.path("spec").path("versions")) {
        if (version.path("name").asText().equals(TcpTeardownProfile.VERSION)) {
          return new StructuralSchema(version.path("schema").path("openAPIV3Schema"));
        }
      }
      throw new IllegalStateException(
          CRD_RESOURCE + " has no version " + TcpTeardownProfile.VERSION);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
