package io.tcpteardown.delivery;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the Dockerfile says, read from the Dockerfile itself, so that tests run the image's exact
 * command.
 */
public final class DockerfileEntrypoint {
  public static final Path DOCKERFILE = Path.of("../Dockerfile");
  private static final String IMAGE_JAR = "/app/tcp-teardown.jar";

  private DockerfileEntrypoint() {}

  /** The ENTRYPOINT with {@code java} and the image's jar path replaced by local ones. */
  public static List<String> command(Path dockerfile, Path java, Path jar) throws IOException {
    List<String> command = new ArrayList<>();
    for (String part : entrypoint(dockerfile)) {
      command.add(
          part.equals("java") ? java.toString() : part.equals(IMAGE_JAR) ? jar.toString() : part);
    }
    return command;
  }

  /** The JVM flags of the ENTRYPOINT: everything between {@code java} and {@code -jar}. */
  public static List<String> jvmFlags(Path dockerfile) throws IOException {
    List<String> entrypoint = entrypoint(dockerfile);
    return entrypoint.subList(1, entrypoint.indexOf("-jar"));
  }

  public static List<String> entrypoint(Path dockerfile) throws IOException {
    String json =
        instruction(dockerfile, "ENTRYPOINT").orElseThrow(() -> new IOException("no ENTRYPOINT"));
    return new ObjectMapper().readValue(json, new TypeReference<List<String>>() {});
  }

  /** The default value of a build argument ({@code ARG NAME=value}). */
  public static Optional<String> argument(Path dockerfile, String name) throws IOException {
    return instructions(dockerfile).stream()
        .filter(i -> i.startsWith("ARG " + name + "="))
        .map(i -> i.substring(("ARG " + name + "=").length()).strip())
        .findFirst();
  }

  /**
   * The arguments of the Dockerfile's {@code RUN jlink ...}, as written (build arguments not
   * expanded).
   */
  public static List<String> jlinkArguments(Path dockerfile) throws IOException {
    String run =
        instructions(dockerfile).stream()
            .filter(i -> i.startsWith("RUN jlink "))
            .findFirst()
            .orElseThrow(() -> new IOException("no RUN jlink in " + dockerfile));
    return Arrays.asList(run.substring("RUN jlink ".length()).strip().split("\\s+"));
  }

  /** The sources of every COPY from the build context (not --from a stage). */
  public static List<String> contextCopySources(Path dockerfile) throws IOException {
    List<String> sources = new ArrayList<>();
    for (String instruction : instructions(dockerfile)) {
      if (instruction.startsWith("COPY ") && !instruction.contains("--from=")) {
        List<String> parts = Arrays.asList(instruction.substring(5).strip().split("\\s+"));
        sources.addAll(parts.subList(0, parts.size() - 1));
      }
    }
    return sources;
  }

  /** The sources of every COPY --from=build, as paths in the build stage. */
  public static List<String> buildStageCopySources(Path dockerfile) throws IOException {
    return instructions(dockerfile).stream()
        .filter(i -> i.startsWith("COPY --from=build "))
        .map(i -> i.substring("COPY --from=build ".length()).strip().split("\\s+")[0])
        .toList();
  }

  private static Optional<String> instruction(Path dockerfile, String keyword) throws IOException {
    return instructions(dockerfile).stream()
        .filter(i -> i.startsWith(keyword + " "))
        .map(i -> i.substring(keyword.length()).strip())
        .reduce((first, second) -> second);
  }

  /** Instructions with continuation lines joined and comments dropped. */
  private static List<String> instructions(Path dockerfile) throws IOException {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(dockerfile)) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      if (!current.toString().isBlank()) {
        instructions.add(current.toString().strip());
      }
      current.setLength(0);
    }
    return instructions;
  }
}
