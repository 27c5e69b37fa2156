package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart README's parameter table is what @bitnami/readme-generator-for-helm makes of
 * values.yaml now: the generator runs on a copy of the README and must change nothing. It also
 * fails on a value without its {@code ## @param} description.
 */
@UnitTest
class ChartReadmeTest {
  static final Path TOOL = Path.of("../tools/chart-readme");
  static final Path VALUES = RenderedChart.CHART.resolve("values.yaml");
  static final Path README = RenderedChart.CHART.resolve("README.md");

  @TempDir Path work;

  private Process generate(Path values, Path readme) throws Exception {
    Path generator = TOOL.resolve("node_modules/.bin/readme-generator");
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(
          Files.isExecutable(generator),
          "npm install --prefix tools/chart-readme (as .ci/run does) first");
    }
    return new ProcessBuilder(
            generator.toString(), "-v", values.toString(), "-r", readme.toString())
        .redirectErrorStream(true)
        .start();
  }

  @Test
  void theParameterTableIsUpToDate() throws Exception {
    Path copy = work.resolve("README.md");
    Files.copy(README, copy);
    Process process = generate(VALUES, copy);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(Files.readString(copy))
        .as("regenerate the chart README's table (the command is in its text)")
        .isEqualTo(Files.readString(README));
  }

  @Test
  void aValueWithoutDescriptionFailsTheGenerator() throws Exception {
    Path values = work.resolve("values.yaml");
    Files.writeString(values, Files.readString(VALUES) + "undocumented: 1\n");
    Path copy = work.resolve("README.md");
    Files.copy(README, copy);
    Process process = generate(values, copy);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isNotZero();
    assertThat(output).contains("undocumented");
  }
}
