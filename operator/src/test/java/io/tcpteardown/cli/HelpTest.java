package io.tcpteardown.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

@UnitTest
class HelpTest {
  @Test
  void everyCommandPrintsItsHelpAndPicocliFindsNothingToWarnAbout() {
    // picocli reports a description it cannot format on System.err (as "[picocli WARN] ..."), not
    // on the command
    // line's error writer; other tests' background threads may log there too.
    PrintStream systemErr = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    System.setErr(new PrintStream(warnings, true, UTF_8));
    try {
      for (String command : TcpTeardownCommand.commandLine().getSubcommands().keySet()) {
        CliRun run = CliRun.of(command, "--help");
        assertThat(run.exit()).as(command).isZero();
        assertThat(run.out()).as(command).startsWith("Usage: tcp-teardown " + command);
      }
    } finally {
      System.setErr(systemErr);
    }
    assertThat(warnings.toString(UTF_8)).doesNotContain("[picocli");
  }
}
