package io.tcpteardown.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tcpteardown.rules.Violation;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "validate",
    description = {
      "Checks TcpTeardownProfile YAML offline as the operator does (the CRD schema, its CEL rules, the safety rules) and prints every violation.",
      "Documents of other kinds in the same files or stream (kustomize build output) are skipped and counted.",
      "Exit 0 when every profile is valid, 1 when any is rejected, 2 on unreadable input, no profiles found or a usage error."
    })
public final class ValidateCommand implements Callable<Integer> {
  /** The machine-readable result of {@code -o json}; its shape is stable. */
  record JsonResult(
      int valid, int rejected, int skipped, List<JsonProfile> profiles, List<JsonSkipped> others) {}

  record JsonProfile(
      String source, int document, String name, boolean valid, List<Violation> violations) {}

  record JsonSkipped(String source, int document, String apiVersion, String kind, String name) {}

  enum Output {
    TEXT,
    JSON
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @Spec CommandSpec spec;

  /** Read when a file is {@code -}; a test sets its own. */
  InputStream standardInput = System.in;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description =
          "A YAML file with one or more profile documents, a directory of *.yaml and *.yml files, "
              + "or - for standard input; repeat for more.")
  List<Path> files;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (default) or json: one JSON object with every profile's result.")
  Output output = Output.TEXT;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ProfileFiles.Documents documents;
    try {
      documents = ProfileFiles.readAll(files, standardInput);
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getCause().getMessage());
      return ExitCodes.UNREADABLE;
    }
    boolean rejected = documents.profiles().stream().anyMatch(p -> !p.accepted());
    if (output == Output.JSON) {
      out.println(JSON.writeValueAsString(toJson(documents)));
    } else {
      printText(out, documents);
    }
    out.flush();
    return rejected ? ExitCodes.REJECTED : ExitCodes.OK;
  }

  private static void printText(PrintWriter out, ProfileFiles.Documents documents) {
    for (ProfileFiles.CheckedProfile profile : documents.profiles()) {
      if (profile.accepted()) {
        out.println(profile.label() + ": valid");
      } else {
        out.println(profile.label() + ": rejected");
        for (Violation violation : profile.violations()) {
          out.println("  - " + violation.message());
        }
      }
    }
    if (!documents.skipped().isEmpty()) {
      out.println(
          "skipped "
              + documents.skipped().size()
              + " document(s) of other kinds (not profiles, not checked)");
    }
  }

  private static JsonResult toJson(ProfileFiles.Documents documents) {
    List<JsonProfile> profiles =
        documents.profiles().stream()
            .map(
                p ->
                    new JsonProfile(
                        ProfileFiles.sourceName(p.file()),
                        p.document(),
                        p.name(),
                        p.accepted(),
                        p.violations()))
            .toList();
    List<JsonSkipped> others =
        documents.skipped().stream()
            .map(
                s ->
                    new JsonSkipped(
                        ProfileFiles.sourceName(s.file()),
                        s.document(),
                        s.apiVersion(),
                        s.kind(),
                        s.name()))
            .toList();
    int valid = (int) profiles.stream().filter(JsonProfile::valid).count();
    return new JsonResult(valid, profiles.size() - valid, others.size(), profiles, others);
  }
}
