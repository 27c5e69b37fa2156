package io.tcpteardown.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The committed CRDs (crds/ and the chart's crds/) must be exactly what the API types generate. */
@UnitTest
class CommittedCrdsTest {
  private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");

  static Stream<Arguments> committedCopies() {
    return Stream.of(
            "tcpteardownprofiles.tcpteardown.io-v1.yml", "tcpteardownnodes.tcpteardown.io-v1.yml")
        .flatMap(
            file ->
                Stream.of(
                    Arguments.of(file, Path.of("../crds")),
                    Arguments.of(file, Path.of("../helm/tcp-teardown-operator/crds"))));
  }

  @ParameterizedTest(name = "{1}/{0}")
  @MethodSource("committedCopies")
  void committedCrdMatchesGenerated(String file, Path directory) throws IOException {
    String generated = Files.readString(GENERATED.resolve(file));
    Path committed = directory.resolve(file);
    assertThat(committed)
        .as("%s is missing: run ./mvnw -Pupdate-crds process-classes", committed)
        .exists();
    assertThat(Files.readString(committed))
        .as(
            "%s differs from what the API types generate: run ./mvnw -Pupdate-crds process-classes",
            committed)
        .isEqualTo(generated);
  }
}
