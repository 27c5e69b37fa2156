package io.tcpteardown.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the command line in this JVM, with what it printed. */
record CliRun(int exit, String out, String err) {
  static CliRun of(String... args) {
    return withInput("", args);
  }

  /** A run whose standard input holds {@code input} (for {@code -f -}). */
  static CliRun withInput(String input, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var commandLine = TcpTeardownCommand.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    ((ValidateCommand) commandLine.getSubcommands().get("validate").getCommand()).standardInput =
        new java.io.ByteArrayInputStream(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    int exit = commandLine.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }
}
