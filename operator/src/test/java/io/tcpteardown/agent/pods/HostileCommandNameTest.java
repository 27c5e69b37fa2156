package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.SafeText;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process name ({@code /proc/PID/comm}) is 15 bytes the process chooses: it is read as bytes and
 * made printable ASCII of a bound where it enters the agent.
 */
@UnitTest
class HostileCommandNameTest {

  @Test
  void controlCharactersAndInvalidUtf8InCommAreEscaped(@TempDir Path proc) throws Exception {
    Files.createDirectories(proc.resolve("42"));
    Files.write(
        proc.resolve("42/comm"),
        new byte[] {0x1b, '[', '2', 'J', 'e', 'v', 'i', 'l', '\n', 0, 0x7f, (byte) 0xfe, '\n'});
    assertThat(new NamespaceScanner(proc).commandOf(42))
        .contains("\\x1b[2Jevil\\x0a\\x00\\x7f\\xfe");
  }

  @Test
  void anOverlongCommFromAnyProcRootIsCut(@TempDir Path proc) throws Exception {
    Files.createDirectories(proc.resolve("7"));
    Files.write(proc.resolve("7/comm"), new byte[100_000]);
    String command = new NamespaceScanner(proc).commandOf(7).orElseThrow();
    assertThat(command.length()).isLessThanOrEqualTo(SafeText.MAX_COMMAND);
    assertThat(command).startsWith("\\x00").endsWith("more characters)");
  }

  @Test
  void aProcessThatIsGoneHasNoName(@TempDir Path proc) {
    assertThat(new NamespaceScanner(proc).commandOf(9)).isEmpty();
  }
}
