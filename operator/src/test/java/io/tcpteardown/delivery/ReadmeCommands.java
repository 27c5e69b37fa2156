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
import java.util.stream.Stream;

/**
 * Every command the user documentation (README.md, then docs/*.md by name) shows, each once, in the
 * order it first appears: the kubectl and helm commands of its fenced code blocks (with {@code \}
 * continuations joined and trailing {@code # comments} removed) and of its inline code spans
 * ({@link #all()}); and every other command of its shell code blocks ({@code sh}, {@code bash},
 * {@code shell}), which no test can run as kubectl and helm commands are run ({@link
 * #shellCommands()}).
 */
record ReadmeCommands(List<Command> commands, List<Command> shellCommands) {
  static final Path REPOSITORY = Path.of("..");
  static final Path README = REPOSITORY.resolve("README.md");
  static final Path DOCS = REPOSITORY.resolve("docs");
  private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");
  private static final List<String> TOOLS = List.of("kubectl", "helm");
  private static final List<String> SHELLS = List.of("sh", "bash", "shell");

  /**
   * One command as written, with the file (relative to the repository) and line it first appears
   * on.
   */
  record Command(String text, int line, String file) {
    List<String> tokens() {
      return List.of(text.trim().split("\\s+"));
    }

    String tool() {
      return tokens().getFirst();
    }

    /** Where the command is written, as {@code file:line}. */
    String where() {
      return file + ":" + line;
    }
  }

  /** README.md and then every Markdown file of docs/, by name: the files whose commands count. */
  static List<Path> documents() throws IOException {
    List<Path> documents = new ArrayList<>(List.of(README));
    try (Stream<Path> docs = Files.list(DOCS)) {
      docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    return documents;
  }

  static ReadmeCommands read() throws IOException {
    Map<String, Command> found = new LinkedHashMap<>();
    Map<String, Command> shell = new LinkedHashMap<>();
    for (Path document : documents()) {
      String file = REPOSITORY.relativize(document).toString();
      collect(Files.readString(document), file, found, shell);
    }
    return new ReadmeCommands(List.copyOf(found.values()), List.copyOf(shell.values()));
  }

  static ReadmeCommands parse(String markdown) {
    return parse(markdown, "README.md");
  }

  static ReadmeCommands parse(String markdown, String file) {
    Map<String, Command> found = new LinkedHashMap<>();
    Map<String, Command> shell = new LinkedHashMap<>();
    collect(markdown, file, found, shell);
    return new ReadmeCommands(List.copyOf(found.values()), List.copyOf(shell.values()));
  }

  private static void collect(
      String markdown, String file, Map<String, Command> found, Map<String, Command> shell) {
    String[] lines = markdown.split("\n", -1);
    boolean fenced = false;
    boolean shellBlock = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        shellBlock = fenced && SHELLS.contains(line.strip().substring(3).strip());
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
        add(found, shellBlock ? shell : null, joined.toString(), first + 1, file);
      } else {
        Matcher inline = INLINE.matcher(line);
        while (inline.find()) {
          add(found, null, inline.group(1), i + 1, file);
        }
      }
    }
  }

  private static void add(
      Map<String, Command> found,
      Map<String, Command> shell,
      String candidate,
      int line,
      String file) {
    String text = candidate.strip().replaceAll("\\s+", " ");
    if (text.isEmpty()) {
      return;
    }
    String tool = text.split(" ")[0];
    // The tool's bare name ("the `kubectl` used") names it; a command has at least a subcommand.
    if (TOOLS.contains(tool)) {
      if (!text.equals(tool)) {
        found.putIfAbsent(text, new Command(text, line, file));
      }
    } else if (shell != null) {
      shell.putIfAbsent(text, new Command(text, line, file));
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

  /** The kubectl and helm commands. */
  List<Command> all() {
    return new ArrayList<>(commands);
  }
}
