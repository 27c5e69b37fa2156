package io.tcpteardown.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "tcp-teardown", mixinStandardHelpOptions = true,
    description = "Manages the Linux TCP connection-teardown sysctls of Kubernetes nodes.")
public final class TcpTeardownCommand {
  public static void main(String[] args) {
    System.exit(new CommandLine(new TcpTeardownCommand()).execute(args));
  }
}
