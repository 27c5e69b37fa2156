package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the image without a Docker engine, after {@code package}: the files the Dockerfile copies
 * exist, and the image's exact command (its ENTRYPOINT, on a runtime jlinked with the Dockerfile's module list)
 * runs the built jar.
 */
class DockerfileIT {
  private static final Path ROOT = Path.of("..");
  private static final Path JAR = Path.of("target/tcp-teardown.jar");
  private static final Path DOCKERFILE = DockerfileEntrypoint.DOCKERFILE;

  private record Run(int exit, String out) {
  }

  @BeforeAll
  static void jlinkTheImageRuntime() throws Exception {
    ImageRuntime.java();
  }

  private static Run run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), out);
  }

  private static Run image(String... args) throws Exception {
    List<String> command = new ArrayList<>(DockerfileEntrypoint.command(DOCKERFILE, ImageRuntime.java(), JAR));
    command.addAll(List.of(args));
    return run(command);
  }

  @Test
  void everyPathTheDockerfileCopiesExistsAfterTheDocumentedBuild() throws Exception {
    assertThat(DockerfileEntrypoint.contextCopySources(DOCKERFILE)).isNotEmpty()
        .allSatisfy(source -> assertThat(ROOT.resolve(source)).exists());
    assertThat(DockerfileEntrypoint.buildStageCopySources(DOCKERFILE)).contains("/jre",
        "/src/operator/target/tcp-teardown.jar");
    assertThat(ROOT.resolve("operator/target/tcp-teardown.jar")).isRegularFile();
  }

  @Test
  void theEntrypointRunsTheJarWithTheImageFlags() throws Exception {
    assertThat(DockerfileEntrypoint.jvmFlags(DOCKERFILE)).contains("-XX:+ExitOnOutOfMemoryError",
        "--enable-native-access=ALL-UNNAMED").anyMatch(f -> f.startsWith("-XX:MaxRAMPercentage="));
    Run version = image("--version");
    assertThat(version.exit()).as(version.out()).isZero();
    assertThat(version.out()).startsWith("tcp-teardown ");

    Run validate = image("validate", "-f", ROOT.resolve("examples").toString());
    assertThat(validate.exit()).as(validate.out()).isEqualTo(1);
    assertThat(validate.out()).contains("TcpTeardownProfile/http-servers: valid",
        "TcpTeardownProfile/rejected-tw-recycle: rejected");
  }

  @Test
  void theTrimmedRuntimeHasWhatTheAgentNeedsToCount() throws Exception {
    // Read-only: the sysctls and the socket counts of this machine, by netlink through FFM.
    Run report = image("node-report", "--json");
    assertThat(report.exit()).as(report.out()).isZero();
    assertThat(report.out()).contains("\"countMethod\" : \"netlink\"", "net.ipv4.tcp_fin_timeout");
  }
}
