package io.tcpteardown.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --proc-root} option shared by the commands that read the kernel. */
final class ProcRootOption {
  @Option(
      names = "--proc-root",
      defaultValue = "${env:PROC_ROOT:-/proc}",
      description = "Where proc is mounted (env PROC_ROOT, default ${DEFAULT-VALUE}).")
  Path procRoot;
}
