package io.tcpteardown.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.rules.SafetyRules;
import io.tcpteardown.rules.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads TcpTeardownProfile documents from YAML files the way the API server would: unknown fields
 * and wrong types are violations, then the safety rules apply.
 */
public final class ProfileFiles {
  private static final String API_VERSION =
      TcpTeardownProfile.GROUP + "/" + TcpTeardownProfile.VERSION;
  private static final ObjectMapper STRICT =
      YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** One YAML document of a file, checked. {@code spec} is null when it could not be read. */
  public record CheckedProfile(
      Path file,
      int document,
      String name,
      TcpTeardownProfileSpec spec,
      List<Violation> violations) {
    public boolean accepted() {
      return violations.isEmpty();
    }

    public String label() {
      return file
          + (document > 1 ? " (document " + document + ")" : "")
          + ": TcpTeardownProfile/"
          + name;
    }
  }

  private ProfileFiles() {}

  /** Files as given, with each directory replaced by its *.yaml and *.yml files in name order. */
  public static List<Path> expand(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.isDirectory(path)) {
        files.add(path);
        continue;
      }
      try (var listing = Files.list(path)) {
        listing
            .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
            .filter(Files::isRegularFile)
            .sorted()
            .forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(
            new IOException(path + ": cannot list directory: " + e.getMessage(), e));
      }
    }
    return files;
  }

  /**
   * Every profile document of the given files and directories, checked.
   *
   * @throws UncheckedIOException when a file cannot be read, is not YAML or holds no document
   */
  public static List<CheckedProfile> readAll(List<Path> paths) {
    List<CheckedProfile> profiles = new ArrayList<>();
    for (Path file : expand(paths)) {
      List<CheckedProfile> documents = read(file);
      if (documents.isEmpty()) {
        throw new UncheckedIOException(new IOException(file + ": no YAML documents"));
      }
      profiles.addAll(documents);
    }
    return profiles;
  }

  /**
   * @throws UncheckedIOException when the file cannot be read or is not YAML
   */
  public static List<CheckedProfile> read(Path file) {
    List<JsonNode> documents = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(Files.newBufferedReader(file))) {
      var iterator = STRICT.readValues(parser, JsonNode.class);
      while (iterator.hasNextValue()) {
        JsonNode node = iterator.nextValue();
        if (node != null && !node.isNull() && !node.isMissingNode()) {
          documents.add(node);
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UncheckedIOException(new IOException(file + ": no such file", e));
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          new IOException(file + ": not readable as YAML: " + firstLine(e), e));
    }
    List<CheckedProfile> result = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      result.add(check(file, i + 1, documents.get(i)));
    }
    return result;
  }

  static CheckedProfile check(Path file, int index, JsonNode document) {
    String name = document.path("metadata").path("name").asText("<unnamed>");
    List<Violation> violations = new ArrayList<>();
    String kind = document.path("kind").asText("");
    String apiVersion = document.path("apiVersion").asText("");
    if (!kind.equals("TcpTeardownProfile") || !apiVersion.equals(API_VERSION)) {
      violations.add(
          new Violation(
              "kind",
              apiVersion + "/" + kind,
              "WrongKind",
              "kind: "
                  + kind
                  + " and apiVersion: "
                  + apiVersion
                  + " are not a profile: expected kind: TcpTeardownProfile and apiVersion: "
                  + API_VERSION
                  + "."));
      return new CheckedProfile(file, index, name, null, violations);
    }
    for (String field : iterable(document)) {
      if (!List.of("apiVersion", "kind", "metadata", "spec", "status").contains(field)) {
        violations.add(unknownField(field, List.of("apiVersion", "kind", "metadata", "spec")));
      }
    }
    TcpTeardownProfileSpec spec = null;
    JsonNode specNode = document.path("spec");
    try {
      spec =
          specNode.isMissingNode()
              ? null
              : STRICT.treeToValue(specNode, TcpTeardownProfileSpec.class);
    } catch (UnrecognizedPropertyException e) {
      String field =
          "spec."
              + e.getPath().stream()
                  .map(JsonMappingException.Reference::getFieldName)
                  .collect(Collectors.joining("."));
      List<String> known = e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
      violations.add(unknownField(field, known));
    } catch (JsonProcessingException e) {
      String field =
          e instanceof JsonMappingException jme && !jme.getPath().isEmpty()
              ? "spec."
                  + jme.getPath().stream()
                      .map(
                          r ->
                              r.getFieldName() == null
                                  ? "[" + r.getIndex() + "]"
                                  : r.getFieldName())
                      .collect(Collectors.joining("."))
              : "spec";
      violations.add(
          new Violation(
              field,
              "",
              "WrongType",
              field
                  + ": "
                  + firstLine(e)
                  + ". Use the type and values given by kubectl explain tcpteardownprofile.spec."));
    }
    if (spec == null && violations.isEmpty()) {
      violations.add(
          new Violation(
              "spec",
              "",
              "MissingSpec",
              "spec is missing: a profile needs a spec with at least one teardown setting."));
    }
    if (spec != null) {
      violations.addAll(SafetyRules.validate(spec));
    }
    return new CheckedProfile(file, index, name, spec, violations);
  }

  private static Violation unknownField(String field, List<String> known) {
    return new Violation(
        field,
        "",
        "UnknownField",
        field
            + " is not a known field and would be refused, not "
            + "silently dropped. Known fields here: "
            + String.join(", ", known)
            + ".");
  }

  private static Iterable<String> iterable(JsonNode node) {
    return node::fieldNames;
  }

  private static String firstLine(Exception e) {
    String message =
        e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    return message == null
        ? e.getClass().getSimpleName()
        : message.lines().findFirst().orElse(message);
  }
}
