package io.tcpteardown.delivery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every kubectl and helm command README.md shows: the lines of its fenced code blocks (with {@code
 * \} continuations joined and trailing {@code # comments} removed) and its inline code spans, each
 * once, in the order they first appear.
 */
record ReadmeCommands(List<Command> commands) {
  static final Path README = Path.of("../README.md");
  private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");
  private static final List<String> TOOLS = List.of("kubectl", "helm");

  /** One command as written, with the README line it first appears on. */
  record Command(String text, int line) {
    List<String> tokens() {
      return List.of(text.trim().split("\\s+"));
    }

    String tool() {
      return tokens().getFirst();
    }
  }

  static ReadmeCommands read() throws IOException {
    return parse(Files.readString(README));
  }

  static ReadmeCommands parse(String markdown) {
    Map<String, Command> found = new LinkedHashMap<>();
    String[] lines = markdown.split("\n", -1);
    boolean fenced = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        int first = i;
        StringBuilder joined = new StringBuilder();
        String current = withoutComment(line).stripTrailing();
        while (current.endsWith("\\") && i + 1 < lines.length) {
          joined.append(current, 0, current.length() - 1).append(' ');
          current = withoutComment(lines[++i]).stripTrailing();
        }
        joined.append(current);
        add(found, joined.toString(), first + 1);
      } else {
        Matcher inline = INLINE.matcher(line);
        while (inline.find()) {
          add(found, inline.group(1), i + 1);
        }
      }
    }
    return new ReadmeCommands(List.copyOf(found.values()));
  }

  private static void add(Map<String, Command> found, String candidate, int line) {
    String text = candidate.strip().replaceAll("\\s+", " ");
    if (text.isEmpty()) {
      return;
    }
    String tool = text.split(" ")[0];
    // The tool's bare name ("the `kubectl` used") names it; a command has at least a subcommand.
    if (TOOLS.contains(tool) && !text.equals(tool)) {
      found.putIfAbsent(text, new Command(text, line));
    }
  }

  /** The line without a shell comment ({@code #} at the start or after a space). */
  private static String withoutComment(String line) {
    if (line.strip().startsWith("#")) {
      return "";
    }
    int hash = line.indexOf(" #");
    return hash < 0 ? line : line.substring(0, hash);
  }

  List<Command> all() {
    return new ArrayList<>(commands);
  }
}
