package io.tcpteardown.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.rules.ProfileValidation;
import io.tcpteardown.rules.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads TcpTeardownProfile documents from YAML files and checks each with the one validation path
 * the operator uses too ({@link ProfileValidation}: the CRD schema, the CEL rules, the safety
 * rules). The YAML is read as a tree, never coerced: a quoted number stays a string, 30.7 stays a
 * number with decimals, a duplicate key is an error. A {@code kind: List} (as {@code kubectl get
 * ttp -o yaml} prints) is read item by item.
 */
public final class ProfileFiles {
  private static final ObjectMapper TREE =
      YAMLMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  /** One YAML document (or List item) of a file, checked. {@code spec} is null when rejected. */
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
          + (name == null ? "<unnamed>" : name);
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
   * @throws UncheckedIOException when a file cannot be read, is not YAML or holds no document, or
   *     when the paths hold no profile document at all
   */
  public static List<CheckedProfile> readAll(List<Path> paths) {
    List<Path> files = expand(paths);
    if (files.isEmpty()) {
      throw new UncheckedIOException(
          new IOException(
              "no profiles found: "
                  + paths
                  + " holds no *.yaml or *.yml file. Give a profile file or a directory of them."));
    }
    List<CheckedProfile> profiles = new ArrayList<>();
    for (Path file : files) {
      List<CheckedProfile> documents = read(file);
      if (documents.isEmpty()) {
        throw new UncheckedIOException(
            new IOException(file + ": no profiles found: the file holds no YAML document"));
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
      parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      var iterator = TREE.readValues(parser, JsonNode.class);
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
          new IOException(file + ": not readable as YAML: " + describe(e), e));
    }
    List<CheckedProfile> result = new ArrayList<>();
    for (JsonNode document : documents) {
      if (isList(document)) {
        for (JsonNode item : document.path("items")) {
          result.add(check(file, result.size() + 1, item));
        }
      } else {
        result.add(check(file, result.size() + 1, document));
      }
    }
    return result;
  }

  static CheckedProfile check(Path file, int index, JsonNode document) {
    ProfileValidation.Result result = ProfileValidation.validateDocument(document);
    return new CheckedProfile(
        file, index, result.name(), result.accepted() ? result.spec() : null, result.violations());
  }

  private static boolean isList(JsonNode document) {
    return document.isObject()
        && document.path("kind").asText("").equals("List")
        && document.path("apiVersion").asText("").equals("v1")
        && document.path("items").isArray();
  }

  private static String describe(Exception e) {
    String message =
        e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    String first =
        message == null
            ? e.getClass().getSimpleName()
            : message.lines().findFirst().orElse(message);
    if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
      first += " (line " + jpe.getLocation().getLineNr() + ")";
    }
    if (first.startsWith("Duplicate field")) {
      first += ": each key may appear once in a map; remove the repeated key";
    }
    return first;
  }
}
