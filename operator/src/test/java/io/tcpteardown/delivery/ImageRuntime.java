package io.tcpteardown.delivery;

import io.tcpteardown.testsupport.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The image's Java runtime, made here by the Dockerfile's own jlink command (once per build). */
public final class ImageRuntime {
  private static final Path JRE = Path.of("target/jre-image");

  private ImageRuntime() {
  }

  /** The java launcher of that runtime, jlinked on first use. */
  public static synchronized Path java() throws IOException {
    Path java = JRE.resolve("bin/java");
    if (!Files.exists(java)) {
      String modules = DockerfileEntrypoint.argument(DockerfileEntrypoint.DOCKERFILE, "JRE_MODULES")
          .orElseThrow(() -> new IOException("the Dockerfile has no JRE_MODULES argument"));
      Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
      List<String> command = new ArrayList<>(List.of(jlink.toString()));
      List<String> arguments = DockerfileEntrypoint.jlinkArguments(DockerfileEntrypoint.DOCKERFILE);
      String previous = "";
      for (String argument : arguments) {
        command.add(previous.equals("--output") ? JRE.toString() : argument.replace("${JRE_MODULES}", modules));
        previous = argument;
      }
      NetworkNamespace.run(command.toArray(String[]::new));
    }
    return java;
  }
}
