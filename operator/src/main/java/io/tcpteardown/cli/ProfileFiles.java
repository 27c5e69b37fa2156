package io.tcpteardown.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.rules.ProfileValidation;
import io.tcpteardown.rules.Violation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

  /** The path that stands for standard input, as {@code kubectl apply -f -} takes it. */
  public static final Path STANDARD_INPUT = Path.of("-");

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
      return sourceName(file)
          + (document > 1 ? " (document " + document + ")" : "")
          + ": TcpTeardownProfile/"
          + (name == null ? "<unnamed>" : name);
    }
  }

  /**
   * A document of another kind in the same stream (a Deployment beside the profiles in {@code
   * kustomize build} output): not checked, only counted. Its strings come from the input and are
   * cut to {@link #MAX_SKIPPED_TEXT} characters.
   */
  public record SkippedDocument(
      Path file, int document, String apiVersion, String kind, String name) {
    public String label() {
      return sourceName(file)
          + (document > 1 ? " (document " + document + ")" : "")
          + ": "
          + (apiVersion.isEmpty() ? "" : apiVersion + " ")
          + kind
          + "/"
          + (name == null ? "<unnamed>" : name);
    }
  }

  /** What the given files hold: the profiles, checked, and the documents of other kinds. */
  public record Documents(List<CheckedProfile> profiles, List<SkippedDocument> skipped) {}

  static final int MAX_SKIPPED_TEXT = 253;

  private ProfileFiles() {}

  static String sourceName(Path file) {
    return STANDARD_INPUT.equals(file) ? "(stdin)" : file.toString();
  }

  /** Files as given, with each directory replaced by its *.yaml and *.yml files in name order. */
  public static List<Path> expand(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (STANDARD_INPUT.equals(path) || !Files.isDirectory(path)) {
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
   * Every document of the given files and directories ({@code -} is standard input, read once): the
   * profiles checked, the other kinds counted.
   *
   * @throws UncheckedIOException when a file cannot be read, is not YAML or holds no document, or
   *     when the paths hold no profile document at all
   */
  public static Documents readAll(List<Path> paths, InputStream standardInput) {
    List<Path> files = expand(paths);
    if (files.isEmpty()) {
      throw new UncheckedIOException(
          new IOException(
              "no profiles found: "
                  + paths
                  + " holds no *.yaml or *.yml file. Give a profile file or a directory of them."));
    }
    if (files.stream().filter(STANDARD_INPUT::equals).count() > 1) {
      throw new UncheckedIOException(
          new IOException("-f - is given more than once: standard input can be read only once"));
    }
    List<CheckedProfile> profiles = new ArrayList<>();
    List<SkippedDocument> skipped = new ArrayList<>();
    for (Path file : files) {
      Documents documents = read(file, standardInput);
      if (documents.profiles().isEmpty() && documents.skipped().isEmpty()) {
        throw new UncheckedIOException(
            new IOException(
                sourceName(file) + ": no profiles found: the file holds no YAML document"));
      }
      profiles.addAll(documents.profiles());
      skipped.addAll(documents.skipped());
    }
    if (profiles.isEmpty()) {
      throw new UncheckedIOException(
          new IOException(
              "no profiles found: "
                  + skipped.size()
                  + " document(s) of other kinds, no TcpTeardownProfile (first: "
                  + skipped.getFirst().label()
                  + ")"));
    }
    return new Documents(List.copyOf(profiles), List.copyOf(skipped));
  }

  /**
   * @throws UncheckedIOException when the file cannot be read or is not YAML
   */
  public static Documents read(Path file, InputStream standardInput) {
    List<JsonNode> documents = new ArrayList<>();
    try (var reader =
            STANDARD_INPUT.equals(file)
                ? new BufferedReader(new InputStreamReader(standardInput, StandardCharsets.UTF_8))
                : Files.newBufferedReader(file);
        var parser = new YAMLFactory().createParser(reader)) {
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
          new IOException(sourceName(file) + ": not readable as YAML: " + describe(e), e));
    }
    List<CheckedProfile> profiles = new ArrayList<>();
    List<SkippedDocument> skipped = new ArrayList<>();
    int index = 0;
    for (JsonNode document : documents) {
      for (JsonNode item : isList(document) ? document.path("items") : List.of(document)) {
        index++;
        if (isOtherKind(item)) {
          skipped.add(skip(file, index, item));
        } else {
          profiles.add(check(file, index, item));
        }
      }
    }
    return new Documents(profiles, skipped);
  }

  /**
   * A document that names a kind of another API group: checked by its own tools, not here. A
   * document of this group, one named TcpTeardownProfile, or one without a kind or an apiVersion is
   * checked as a profile, so that a misspelt kind or apiVersion of a profile is reported, never
   * skipped.
   */
  static boolean isOtherKind(JsonNode document) {
    if (!document.isObject() || !document.path("kind").isTextual()) {
      return false;
    }
    String kind = document.path("kind").asText();
    String apiVersion = document.path("apiVersion").asText("");
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    return !kind.isEmpty()
        && !apiVersion.isEmpty()
        && !kind.equals(ProfileValidation.KIND)
        && !group.equals(TcpTeardownProfile.GROUP);
  }

  private static SkippedDocument skip(Path file, int index, JsonNode document) {
    JsonNode name = document.path("metadata").path("name");
    return new SkippedDocument(
        file,
        index,
        printable(document.path("apiVersion").asText("")),
        printable(document.path("kind").asText("")),
        name.isTextual() ? printable(name.asText()) : null);
  }

  /** Input text as it may be printed: control characters replaced, cut to a bound. */
  private static String printable(String text) {
    String cut =
        text.length() > MAX_SKIPPED_TEXT ? text.substring(0, MAX_SKIPPED_TEXT) + "…" : text;
    return cut.codePoints()
        .map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
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
