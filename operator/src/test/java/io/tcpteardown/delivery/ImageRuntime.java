package io.tcpteardown.delivery;

import io.tcpteardown.testsupport.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The image's Java runtime, made here by the Dockerfile's own jlink command; made again when that
 * command changes (the command of the runtime in target is kept beside it).
 */
public final class ImageRuntime {
  private static final Path JRE = Path.of("target/jre-image");
  private static final Path JRE_COMMAND = Path.of("target/jre-image.command");

  private ImageRuntime() {}

  /** The java launcher of that runtime, jlinked on first use. */
  public static synchronized Path java() throws IOException {
    Path java = JRE.resolve("bin/java");
    List<String> command = jlinkCommand();
    String recorded = Files.exists(JRE_COMMAND) ? Files.readString(JRE_COMMAND) : "";
    if (!Files.exists(java) || !recorded.equals(String.join("\n", command))) {
      NetworkNamespace.run("rm", "-rf", JRE.toString());
      NetworkNamespace.run(command.toArray(String[]::new));
      Files.writeString(JRE_COMMAND, String.join("\n", command));
    }
    return java;
  }

  private static List<String> jlinkCommand() throws IOException {
    String modules =
        DockerfileEntrypoint.argument(DockerfileEntrypoint.DOCKERFILE, "JRE_MODULES")
            .orElseThrow(() -> new IOException("the Dockerfile has no JRE_MODULES argument"));
    Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
    List<String> command = new ArrayList<>(List.of(jlink.toString()));
    String previous = "";
    for (String argument : DockerfileEntrypoint.jlinkArguments(DockerfileEntrypoint.DOCKERFILE)) {
      command.add(
          previous.equals("--output")
              ? JRE.toString()
              : argument.replace("${JRE_MODULES}", modules));
      previous = argument;
    }
    return command;
  }
}
