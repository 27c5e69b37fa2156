package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.cli.ProfileFiles;
import io.tcpteardown.rules.Violation;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every file in examples/: the accepted ones pass the rules, each rejected one fails with the
 * message it shows.
 */
@UnitTest
class ExamplesTest {
  static final Path EXAMPLES = Path.of("../examples");
  private static final String MESSAGE = "# message: ";

  @Test
  void acceptedExamplesPassAndRejectedOnesFailWithTheMessageTheyDocument() throws Exception {
    List<ProfileFiles.CheckedProfile> profiles =
        ProfileFiles.readAll(List.of(EXAMPLES), java.io.InputStream.nullInputStream()).profiles();
    assertThat(profiles)
        .extracting(ProfileFiles.CheckedProfile::name)
        .containsExactlyInAnyOrder(
            "http-servers",
            "slow-clients",
            "pod-hash-tables",
            "base",
            "base-override-batch",
            "rejected-tw-recycle",
            "rejected-reuse-without-timestamps");
    for (ProfileFiles.CheckedProfile profile : profiles) {
      Optional<String> documented = documentedMessage(profile.file());
      if (profile.name().startsWith("rejected-")) {
        assertThat(documented).as(profile.file() + " documents its message").isPresent();
        assertThat(profile.violations())
            .extracting(Violation::message)
            .containsExactly(documented.get());
      } else {
        assertThat(profile.violations()).as(profile.label()).isEmpty();
        assertThat(documented).isEmpty();
      }
    }
  }

  private static Optional<String> documentedMessage(Path file) throws Exception {
    return Files.readAllLines(file).stream()
        .filter(l -> l.startsWith(MESSAGE))
        .map(l -> l.substring(MESSAGE.length()))
        .findFirst();
  }
}
