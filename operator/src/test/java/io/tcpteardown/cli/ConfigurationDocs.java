package io.tcpteardown.cli;

import io.tcpteardown.agent.AgentSettings;
import io.tcpteardown.operator.OperatorSettings;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/configuration.md, rendered from the flags of the two long-running commands, and the check
 * that every component of their settings records is exactly one flag read from one environment
 * variable. {@link ConfigurationDocsTest} compares the file with this rendering.
 */
final class ConfigurationDocs {
  static final Path FILE = Path.of("../docs/configuration.md");
  static final String REGENERATE =
      "./mvnw -B -o test -Dtest=ConfigurationDocsTest -Dconfiguration.docs.write=true";

  /** The long-running commands and the record each one's flags become. */
  static final Map<String, Class<? extends Record>> SETTINGS =
      Map.of("operator", OperatorSettings.class, "agent", AgentSettings.class);

  private static final List<String> ORDER = List.of("operator", "agent");
  private static final Pattern ENV =
      Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(:-(.*))?}");

  /** A flag as documented: its variable and its default as written in the command. */
  record Flag(String name, String env, Optional<String> defaultValue, String type, String text) {}

  private ConfigurationDocs() {}

  /** The commands with variables left as written (the environment of this JVM must not show). */
  static CommandSpec uninterpolated(String command) {
    CommandLine root = TcpTeardownCommand.commandLine();
    root.setInterpolateVariables(false);
    return root.getSubcommands().get(command).getCommandSpec();
  }

  /** The flags of {@code command}, in their order, without the standard help and version ones. */
  static List<OptionSpec> flags(CommandSpec command) {
    return command.options().stream().filter(o -> !o.usageHelp() && !o.versionHelp()).toList();
  }

  /** The record component a flag fills: its long name in camel case. */
  static String component(OptionSpec option) {
    String[] words = option.longestName().replaceFirst("^--", "").split("-");
    StringBuilder name = new StringBuilder(words[0]);
    for (int i = 1; i < words.length; i++) {
      name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
    }
    return name.toString();
  }

  /**
   * What keeps {@code settings} from being exactly the flags of {@code command}, each read from an
   * environment variable: empty when nothing does.
   */
  static List<String> mismatches(CommandSpec command, Class<? extends Record> settings) {
    List<String> problems = new ArrayList<>();
    List<String> components =
        Arrays.stream(settings.getRecordComponents()).map(RecordComponent::getName).toList();
    Map<String, Long> flagsPerComponent =
        flags(command).stream()
            .collect(Collectors.groupingBy(ConfigurationDocs::component, Collectors.counting()));
    for (String component : components) {
      long flags = flagsPerComponent.getOrDefault(component, 0L);
      if (flags != 1) {
        problems.add(
            settings.getSimpleName() + "." + component + " is filled by " + flags + " flags");
      }
    }
    for (OptionSpec option : flags(command)) {
      if (!components.contains(component(option))) {
        problems.add(
            option.longestName()
                + " has no component "
                + component(option)
                + " in "
                + settings.getSimpleName());
      }
      if (!ENV.matcher(String.valueOf(option.defaultValue())).matches()) {
        problems.add(option.longestName() + " is read from no environment variable");
      }
    }
    return problems;
  }

  static Flag flag(OptionSpec option) {
    Matcher env = ENV.matcher(String.valueOf(option.defaultValue()));
    if (!env.matches()) {
      throw new IllegalStateException(option.longestName() + " has no environment variable");
    }
    Optional<String> defaultValue = Optional.ofNullable(env.group(3));
    String text =
        String.join(" ", option.description())
            .replace("${DEFAULT-VALUE}", defaultValue.orElse(""))
            .replace("%%", "%");
    return new Flag(option.longestName(), env.group(1), defaultValue, type(option), text);
  }

  private static String type(OptionSpec option) {
    Class<?> type = option.type();
    if (type == Duration.class) {
      return "duration";
    }
    if (type == int.class || type == long.class) {
      return "integer";
    }
    if (type == double.class) {
      return "number";
    }
    if (type == boolean.class) {
      return "true/false";
    }
    if (type == Path.class) {
      return "path";
    }
    return "text";
  }

  /** The whole file. */
  static String render() {
    StringBuilder out = new StringBuilder();
    out.append(
        """
        # Configuration

        Every flag of the two long-running commands, `operator` and `agent`: each is also read from an \
        environment variable (the chart sets the variables), the flag winning over the variable. \
        Durations are written as Kubernetes users write them (`500ms`, `30s`, `5m`, `1h`) or in \
        ISO-8601 (`PT30S`). The other commands (`validate`, `plan`, `advise`, `node-report`, \
        `state-file`, `probe`) print their options with `--help`.

        This file is generated from the commands' flags, and each command's flags are exactly the \
        components of its settings record (`OperatorSettings`, `AgentSettings`); \
        `ConfigurationDocsTest` fails when either drifts. Regenerate it with:

        ```sh
        %s
        ```
        """
            .formatted(REGENERATE));
    for (String command : ORDER) {
      CommandSpec spec = uninterpolated(command);
      out.append("\n## `")
          .append(command)
          .append("` (")
          .append(SETTINGS.get(command).getSimpleName())
          .append(")\n\n");
      out.append(String.join(" ", spec.usageMessage().description()).replace("%%", "%"))
          .append("\n\n");
      out.append("| flag | environment variable | default | type | description |\n");
      out.append("|---|---|---|---|---|\n");
      for (OptionSpec option : flags(spec)) {
        Flag flag = flag(option);
        out.append("| `")
            .append(flag.name())
            .append("` | `")
            .append(flag.env())
            .append("` | ")
            .append(
                flag.defaultValue()
                    .map(d -> d.isEmpty() ? "(empty)" : "`" + d + "`")
                    .orElse(required(option) ? "(required)" : "(none)"))
            .append(" | ")
            .append(flag.type())
            .append(" | ")
            .append(cell(flag.text()))
            .append(" |\n");
      }
    }
    return out.toString();
  }

  /** Whether the flag is declared required (picocli reports a flag with a default as optional). */
  private static boolean required(OptionSpec option) {
    return option.userObject() instanceof Field field
        && field.getAnnotation(CommandLine.Option.class).required();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
