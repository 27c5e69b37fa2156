package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.delivery.ReadmeCommands.Command;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** What counts as a command of the documentation for {@link ReadmeCommandsApiTest}. */
@UnitTest
class ReadmeCommandsParseTest {
  @Test
  void codeBlockLinesJoinedAndWithoutCommentsInlineSpansOnceInOrderOfFirstAppearance() {
    String markdown =
        """
        Run `kubectl get ttp` or `kubectl` alone, see `helm/chart` and `java -jar x.jar`.

        ```sh
        # a comment line
        docker build .
        helm install r chart --namespace ns \\
          --set a=b   # trailing comment
        kubectl get ttp                      # again, already listed
        kubectl get ttn NODE -o yaml
        ```

        Then `helm uninstall r --namespace ns`.
        """;
    assertThat(ReadmeCommands.parse(markdown).all())
        .extracting(ReadmeCommands.Command::text, ReadmeCommands.Command::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("kubectl get ttp", 1),
            org.assertj.core.groups.Tuple.tuple("helm install r chart --namespace ns --set a=b", 6),
            org.assertj.core.groups.Tuple.tuple("kubectl get ttn NODE -o yaml", 9),
            org.assertj.core.groups.Tuple.tuple("helm uninstall r --namespace ns", 12));
  }

  @Test
  void installCommandsComeFirstAndRemovalCommandsLast() {
    var commands =
        ReadmeCommands.parse(
                """
                ```sh
                kubectl get ttp
                kubectl delete ttp --all
                kubectl -n ns describe ds
                kubectl label namespace ns a=b
                helm install r chart
                helm uninstall r
                kubectl create namespace ns
                ```
                """)
            .all();
    assertThat(commands)
        .extracting(ReadmeCommandsApiTest::phase)
        .containsExactly(
            ReadmeCommandsApiTest.Phase.USE,
            ReadmeCommandsApiTest.Phase.REMOVE,
            ReadmeCommandsApiTest.Phase.USE,
            ReadmeCommandsApiTest.Phase.INSTALL,
            ReadmeCommandsApiTest.Phase.INSTALL,
            ReadmeCommandsApiTest.Phase.REMOVE,
            ReadmeCommandsApiTest.Phase.INSTALL);
  }

  @Test
  void otherCommandsOfShellBlocksAreCollectedApartAndOtherBlocksHoldNone() {
    ReadmeCommands read =
        ReadmeCommands.parse(
            """
            ```sh
            ./mvnw -B verify   # the build
            kubectl get ttp
            bash scripts/a.sh \\
              --flag
            ```

            ```yaml
            key: value
            ```

            ```text
            NAME   READY
            ```
            """,
            "docs/example.md");
    assertThat(read.shellCommands())
        .extracting(Command::text, Command::where)
        .containsExactly(
            Tuple.tuple("./mvnw -B verify", "docs/example.md:2"),
            Tuple.tuple("bash scripts/a.sh --flag", "docs/example.md:4"));
    assertThat(read.all()).extracting(Command::text).containsExactly("kubectl get ttp");
  }

  @Test
  void theReadmeAndEveryDocumentOfDocsAreRead() throws IOException {
    assertThat(ReadmeCommands.documents())
        .extracting(p -> ReadmeCommands.REPOSITORY.relativize(p).toString())
        .startsWith("README.md")
        .contains(
            "docs/agent.md",
            "docs/benchmarks.md",
            "docs/design.md",
            "docs/runbook.md",
            "docs/testing.md");
    assertThat(ReadmeCommands.read().all())
        .extracting(Command::file)
        .as("kubectl and helm commands are found beyond the README")
        .contains("README.md", "docs/profiles.md", "docs/runbook.md");
  }

  @Test
  void everyOtherCommandOfTheDocumentationIsListedAsNotRunWithItsReason() throws IOException {
    assertThat(ReadmeCommands.read().shellCommands())
        .isNotEmpty()
        .allSatisfy(
            command ->
                assertThat(ReadmeCommandsApiTest.NOT_RUN)
                    .as(
                        "%s: %s runs in no test as written; list it in"
                            + " ReadmeCommandsApiTest.NOT_RUN with the reason",
                        command.where(), command.text())
                    .containsKey(command.text()));
    assertThat(ReadmeCommandsApiTest.NOT_RUN.values()).allSatisfy(r -> assertThat(r).isNotBlank());
  }
}
