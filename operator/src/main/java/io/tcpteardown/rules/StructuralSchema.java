package io.tcpteardown.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks a JSON value against a CRD's structural OpenAPI v3 schema with the API server's strictness
 * and kubectl's strict field validation: types (integer is not number, a quoted number is a
 * string), enums, minimum and maximum, lengths and sizes, required fields, nullable, and unknown
 * fields refused. Every violation names its field, the value, the rule and what to do instead.
 */
public final class StructuralSchema {
  public static final String RULE_TYPE = "WrongType";
  public static final String RULE_REQUIRED = "Required";
  public static final String RULE_UNKNOWN_FIELD = "UnknownField";
  public static final String RULE_ENUM = "NotSupported";
  public static final String RULE_NULL = "NullValue";
  public static final String RULE_LENGTH = "Length";
  public static final String RULE_PATTERN = "Pattern";
  public static final String RULE_EMPTY = "EmptyString";

  private final JsonNode root;

  public StructuralSchema(JsonNode openApiV3Schema) {
    this.root = openApiV3Schema;
  }

  /** The schema below a dotted list of properties, such as {@code spec}. */
  public StructuralSchema property(String name) {
    return new StructuralSchema(root.path("properties").path(name));
  }

  public JsonNode node() {
    return root;
  }

  /** Every violation of {@code value} at {@code path}, in document order. */
  public List<Violation> validate(JsonNode value, String path) {
    List<Violation> violations = new ArrayList<>();
    walk(root, value, path, violations);
    return violations;
  }

  private static void walk(JsonNode schema, JsonNode value, String path, List<Violation> out) {
    if (value == null || value.isMissingNode()) {
      return;
    }
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        out.add(
            new Violation(
                path,
                "null",
                RULE_NULL,
                path
                    + ": null is not allowed here (expected "
                    + describe(schema)
                    + "). Give a value, or remove the field."));
      }
      return;
    }
    String type = schema.path("type").asText("");
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (!value.isTextual() && !isInteger(value)) {
        out.add(wrongType(path, value, "an integer or a string"));
      }
      return;
    }
    boolean typeOk =
        switch (type) {
          case "object" -> value.isObject();
          case "array" -> value.isArray();
          case "string" -> value.isTextual();
          case "integer" -> isInteger(value);
          case "number" -> value.isNumber();
          case "boolean" -> value.isBoolean();
          default -> true;
        };
    if (!typeOk) {
      out.add(wrongType(path, value, describe(schema)));
      return;
    }
    checkEnum(schema, value, path, out);
    switch (type) {
      case "object" -> object(schema, value, path, out);
      case "array" -> array(schema, value, path, out);
      case "string" -> string(schema, value, path, out);
      case "integer", "number" -> number(schema, value, path, out);
      default -> {}
    }
  }

  private static void object(JsonNode schema, JsonNode value, String path, List<Violation> out) {
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (JsonNode required : schema.path("required")) {
      String name = required.asText();
      if (!value.has(name)) {
        String field = child(path, name);
        out.add(
            new Violation(
                field,
                "",
                RULE_REQUIRED,
                field
                    + ": Required value: the field is missing. Add "
                    + name
                    + " ("
                    + describe(properties.path(name))
                    + ")."));
      }
    }
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String fieldPath = child(path, field.getKey());
      if (properties.has(field.getKey())) {
        walk(properties.get(field.getKey()), field.getValue(), fieldPath, out);
      } else if (additional.isObject()) {
        walk(additional, field.getValue(), fieldPath, out);
      } else if (!preserve && !additional.asBoolean(false)) {
        TreeSet<String> known = new TreeSet<>();
        properties.fieldNames().forEachRemaining(known::add);
        out.add(
            new Violation(
                fieldPath,
                field.getKey(),
                RULE_UNKNOWN_FIELD,
                fieldPath
                    + " is not a known field: the API server refuses it with strict field validation"
                    + " (or silently drops it). "
                    + (known.isEmpty()
                        ? "Remove it."
                        : "Known fields here: " + String.join(", ", known) + ".")));
      }
    }
    int size = value.size();
    bound(schema, "minProperties", "maxProperties", size, path, "properties", out);
  }

  private static void array(JsonNode schema, JsonNode value, String path, List<Violation> out) {
    JsonNode items = schema.path("items");
    for (int i = 0; i < value.size(); i++) {
      walk(items, value.get(i), path + "[" + i + "]", out);
    }
    bound(schema, "minItems", "maxItems", value.size(), path, "items", out);
  }

  private static void string(JsonNode schema, JsonNode value, String path, List<Violation> out) {
    String text = value.asText();
    if (text.isEmpty() && !schema.has("enum") && !schema.has("minLength")) {
      // Kubernetes 1.20 (and other servers of its time) validate "" in a custom resource as null
      // and refuse it ("must be of type string"); newer ones accept it. Refused here for all.
      out.add(
          new Violation(
              path,
              "\"\"",
              RULE_EMPTY,
              path
                  + ": an empty string is refused by Kubernetes API servers such as 1.20 (they"
                  + " read it as null). Give a non-empty value, or remove the field."));
      return;
    }
    bound(
        schema,
        "minLength",
        "maxLength",
        text.codePointCount(0, text.length()),
        path,
        "characters",
        out);
    if (schema.has("pattern")
        && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
      out.add(
          new Violation(
              path,
              text,
              RULE_PATTERN,
              path
                  + ": \""
                  + text
                  + "\" does not match "
                  + schema.get("pattern").asText()
                  + ". Give a value of that form."));
    }
  }

  private static void number(JsonNode schema, JsonNode value, String path, List<Violation> out) {
    double number = value.asDouble();
    JsonNode min = schema.path("minimum");
    JsonNode max = schema.path("maximum");
    boolean below =
        min.isNumber()
            && (schema.path("exclusiveMinimum").asBoolean(false)
                ? number <= min.asDouble()
                : number < min.asDouble());
    boolean above =
        max.isNumber()
            && (schema.path("exclusiveMaximum").asBoolean(false)
                ? number >= max.asDouble()
                : number > max.asDouble());
    if (below || above) {
      String range = (min.isNumber() ? plain(min) : "") + ".." + (max.isNumber() ? plain(max) : "");
      out.add(
          new Violation(
              path,
              value.asText(),
              SafetyRules.RULE_RANGE,
              path
                  + ": "
                  + value.asText()
                  + " is out of range "
                  + range
                  + ". Set a value from "
                  + range.replace("..", " to ")
                  + ", or remove the field to keep the node's value."));
    }
  }

  private static void checkEnum(JsonNode schema, JsonNode value, String path, List<Violation> out) {
    JsonNode allowed = schema.path("enum");
    if (!allowed.isArray() || allowed.isEmpty()) {
      return;
    }
    for (JsonNode candidate : allowed) {
      if (candidate.equals(value)) {
        return;
      }
    }
    List<String> names = new ArrayList<>();
    allowed.forEach(a -> names.add(a.asText()));
    out.add(
        new Violation(
            path,
            value.asText(),
            RULE_ENUM,
            path
                + ": Unsupported value \""
                + value.asText()
                + "\". Use one of "
                + String.join(", ", names)
                + " (by name, spelled exactly so)."));
  }

  private static void bound(
      JsonNode schema,
      String minKey,
      String maxKey,
      int size,
      String path,
      String unit,
      List<Violation> out) {
    if (schema.has(minKey) && size < schema.get(minKey).asLong()) {
      out.add(
          new Violation(
              path,
              String.valueOf(size),
              RULE_LENGTH,
              path
                  + ": has "
                  + size
                  + " "
                  + unit
                  + ", at least "
                  + schema.get(minKey).asLong()
                  + " are needed. "
                  + (size == 0 ? "Give a non-empty value, or remove the field." : "Add more.")));
    }
    if (schema.has(maxKey) && size > schema.get(maxKey).asLong()) {
      out.add(
          new Violation(
              path,
              String.valueOf(size),
              RULE_LENGTH,
              path
                  + ": has "
                  + size
                  + " "
                  + unit
                  + ", at most "
                  + schema.get(maxKey).asLong()
                  + " are allowed. Use fewer."));
    }
  }

  private static boolean isInteger(JsonNode value) {
    if (value.isIntegralNumber()) {
      return true;
    }
    if (value.isFloatingPointNumber()) {
      double d = value.asDouble();
      return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15;
    }
    return false;
  }

  private static Violation wrongType(String path, JsonNode value, String expected) {
    String shown = value.isTextual() ? "\"" + value.asText() + "\"" : value.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 77) + "...";
    }
    return new Violation(
        path,
        shown,
        RULE_TYPE,
        path
            + ": "
            + shown
            + " is "
            + kind(value)
            + ", expected "
            + expected
            + ". Write it as "
            + expected
            + (expected.startsWith("an integer") ? " (no quotes, no decimals)" : "")
            + ".");
  }

  private static String kind(JsonNode value) {
    if (value.isTextual()) {
      return "a string";
    }
    if (value.isIntegralNumber()) {
      return "an integer";
    }
    if (value.isNumber()) {
      return "a number with decimals";
    }
    if (value.isBoolean()) {
      return "a boolean";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isObject()) {
      return "a map";
    }
    return "null";
  }

  private static String describe(JsonNode schema) {
    String type = schema.path("type").asText("");
    JsonNode allowed = schema.path("enum");
    if (allowed.isArray() && !allowed.isEmpty()) {
      List<String> names = new ArrayList<>();
      allowed.forEach(a -> names.add(a.asText()));
      return "one of " + String.join(", ", names);
    }
    return switch (type) {
      case "object" -> "a map";
      case "array" -> "a list";
      case "string" -> "a string";
      case "integer" -> "an integer";
      case "number" -> "a number";
      case "boolean" -> "true or false";
      default -> "a value";
    };
  }

  private static String plain(JsonNode number) {
    double d = number.asDouble();
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
