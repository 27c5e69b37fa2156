package io.tcpteardown.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The {@code prometheus} and {@code promtool} binaries of Debian's {@code prometheus} package
 * (2.42), which .ci/run installs. Outside CI a machine without them skips; under CI=true their
 * absence is an error.
 */
public final class PrometheusBinaries {
  private PrometheusBinaries() {}

  /** What a finished command printed (standard output and error together) and how it ended. */
  public record Result(int exit, String output) {}

  /** The binary's path, or skips (outside CI) or fails (CI=true) naming what is missing. */
  public static Path require(String binary) {
    for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
      Path candidate = Path.of(dir, binary);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String missing =
        "no "
            + binary
            + " in /usr/bin: install Debian's prometheus package"
            + " (apt-get install --no-install-recommends prometheus, as .ci/run does)";
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(missing + "; under CI=true this test may not skip");
    }
    Assumptions.abort(missing);
    throw new AssertionError("unreachable");
  }

  /** Runs {@code promtool} with these arguments in {@code dir}; waits at most 60 s. */
  public static Result promtool(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(require("promtool").toString());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("promtool " + String.join(" ", args) + " did not end in 60 s");
      }
      return new Result(process.exitValue(), output);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
