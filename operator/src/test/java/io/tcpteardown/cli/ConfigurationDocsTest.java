package io.tcpteardown.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One way to read configuration: every component of the operator's and the agent's settings records
 * is exactly one flag, read from one environment variable; the record built from the command holds
 * each flag's value in the component of its name; docs/configuration.md is what {@link
 * ConfigurationDocs} renders from the flags.
 */
@UnitTest
class ConfigurationDocsTest {

  @Test
  void everySettingsComponentIsExactlyOneFlagWithAnEnvironmentVariable() {
    ConfigurationDocs.SETTINGS.forEach(
        (command, settings) ->
            assertThat(
                    ConfigurationDocs.mismatches(
                        ConfigurationDocs.uninterpolated(command), settings))
                .as(command)
                .isEmpty());
  }

  /** A record with a component no flag fills, and lacking the components of most flags. */
  record Unflagged(String nodeName, int sweepsPerHour) {}

  @Test
  void aComponentWithoutAFlagAndFlagsWithoutAComponentAreFound() {
    List<String> problems =
        ConfigurationDocs.mismatches(ConfigurationDocs.uninterpolated("agent"), Unflagged.class);
    assertThat(problems)
        .contains(
            "Unflagged.sweepsPerHour is filled by 0 flags",
            "--probe-port has no component probePort in Unflagged")
        .noneMatch(p -> p.startsWith("Unflagged.nodeName"));
  }

  @Test
  void theSettingsRecordsHoldEveryFlagsValueInTheComponentOfItsName() throws Exception {
    assertFlagsReachTheirComponents("agent", c -> ((AgentCommand) c).settings());
    assertFlagsReachTheirComponents("operator", c -> ((OperatorCommand) c).settings());
  }

  private interface SettingsOf {
    Record of(Object command);
  }

  /** Gives every flag a value of its own (not its default) and finds it in the record. */
  private static void assertFlagsReachTheirComponents(String name, SettingsOf settingsOf)
      throws Exception {
    CommandLine root = TcpTeardownCommand.commandLine();
    CommandLine command = root.getSubcommands().get(name);
    List<String> args = new ArrayList<>(List.of(name));
    int distinct = 0;
    for (OptionSpec option : ConfigurationDocs.flags(command.getCommandSpec())) {
      distinct++;
      Class<?> type = option.type();
      String value;
      if (type == Duration.class) {
        value = (distinct + 1000) + "ms";
      } else if (type == int.class || type == long.class) {
        value = String.valueOf(distinct + 1000);
      } else if (type == double.class) {
        value = "0." + (distinct + 100);
      } else if (type == boolean.class) {
        value = "false";
      } else if (type == Path.class) {
        value = "/flag/" + distinct;
      } else {
        value = "value-" + distinct;
      }
      args.add(option.longestName());
      args.add(value);
    }
    root.parseArgs(args.toArray(String[]::new));
    Record settings = settingsOf.of(command.getCommand());
    Set<Object> seen = new HashSet<>();
    for (OptionSpec option : ConfigurationDocs.flags(command.getCommandSpec())) {
      Object component =
          settings.getClass().getMethod(ConfigurationDocs.component(option)).invoke(settings);
      Object flag = option.getValue();
      assertThat(component).as(name + " " + option.longestName()).isEqualTo(flag);
      if (!(flag instanceof Boolean)) {
        assertThat(seen.add(flag)).as("%s values are distinct", name).isTrue();
      }
    }
  }

  @Test
  void theConfigurationReferenceIsTheOneRenderedFromTheFlags() throws Exception {
    String rendered = ConfigurationDocs.render();
    if (Boolean.getBoolean("configuration.docs.write")) {
      Files.writeString(ConfigurationDocs.FILE, rendered, UTF_8);
    }
    String committed =
        Files.exists(ConfigurationDocs.FILE) ? Files.readString(ConfigurationDocs.FILE, UTF_8) : "";
    assertThat(committed)
        .as(
            "docs/configuration.md differs from the flags; regenerate it with "
                + ConfigurationDocs.REGENERATE)
        .isEqualTo(rendered);
  }
}
