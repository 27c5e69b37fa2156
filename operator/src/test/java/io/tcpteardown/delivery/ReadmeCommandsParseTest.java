package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import org.junit.jupiter.api.Test;

/** What counts as a README command for {@link ReadmeCommandsApiTest}. */
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
}
