package io.tcpteardown.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "tcp-teardown",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = VersionProvider.class,
    description = "Manages the Linux TCP connection-teardown sysctls of Kubernetes nodes.",
    subcommands = {
      OperatorCommand.class,
      AgentCommand.class,
      ValidateCommand.class,
      NodeReportCommand.class,
      PlanCommand.class,
      AdviseCommand.class,
      StateFileCommand.class,
      ProbeCommand.class
    })
public final class TcpTeardownCommand {

  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new TcpTeardownCommand());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(
        (e, cl, parsed) -> {
          cl.getErr().println("error: " + e.getMessage());
          return ExitCodes.UNREADABLE;
        });
    commandLine.setExitCodeExceptionMapper(e -> ExitCodes.UNREADABLE);
    return commandLine;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
