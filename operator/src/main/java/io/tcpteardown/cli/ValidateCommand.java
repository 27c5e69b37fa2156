package io.tcpteardown.cli;

import io.tcpteardown.rules.Violation;
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
      "Exit 0 when every profile is valid, 1 when any is rejected, 2 on unreadable input, no profiles found or a usage error."
    })
public final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description =
          "A YAML file with one or more profile documents, or a directory of *.yaml and *.yml files; "
              + "repeat for more.")
  List<Path> files;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<ProfileFiles.CheckedProfile> profiles;
    try {
      profiles = ProfileFiles.readAll(files);
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getCause().getMessage());
      return ExitCodes.UNREADABLE;
    }
    boolean rejected = false;
    for (ProfileFiles.CheckedProfile profile : profiles) {
      if (profile.accepted()) {
        out.println(profile.label() + ": valid");
      } else {
        rejected = true;
        out.println(profile.label() + ": rejected");
        for (Violation violation : profile.violations()) {
          out.println("  - " + violation.message());
        }
      }
    }
    out.flush();
    return rejected ? ExitCodes.REJECTED : ExitCodes.OK;
  }
}
