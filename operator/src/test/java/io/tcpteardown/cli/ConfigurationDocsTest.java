package io.tcpteardown.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.tcpteardown.delivery.RenderedChart;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

  /** Read by the JVM, not by a command. */
  private static final Set<String> JVM_VARIABLES = Set.of("JDK_JAVA_OPTIONS");

  @Test
  void everyVariableTheChartSetsIsOneItsCommandReads() throws Exception {
    RenderedChart chart = RenderedChart.render(Map.of());
    assertThat(chart.all(DaemonSet.class)).isNotEmpty();
    assertThat(chart.all(Deployment.class)).isNotEmpty();
    for (DaemonSet agent : chart.all(DaemonSet.class)) {
      assertReadByTheCommand("agent", agent.getSpec().getTemplate().getSpec().getContainers());
    }
    for (Deployment operator : chart.all(Deployment.class)) {
      assertReadByTheCommand(
          "operator", operator.getSpec().getTemplate().getSpec().getContainers());
    }
  }

  private static void assertReadByTheCommand(String command, List<Container> containers) {
    Set<String> read = new HashSet<>(JVM_VARIABLES);
    ConfigurationDocs.flags(ConfigurationDocs.uninterpolated(command))
        .forEach(o -> read.add(ConfigurationDocs.flag(o).env()));
    for (Container container : containers) {
      assertThat(container.getArgs()).as(container.getName()).startsWith(command);
      assertThat(container.getEnv())
          .as(container.getName())
          .isNotEmpty()
          .extracting(EnvVar::getName)
          .allMatch(read::contains, "a variable the " + command + " command reads");
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
