package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
class ValidateCommandTest {
  @TempDir Path dir;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private Path file(String name, String yaml) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  private static final String VALID =
      """
      apiVersion: tcpteardown.io/v1alpha1
      kind: TcpTeardownProfile
      metadata:
        name: web
      spec:
        finTimeoutSeconds: 30
        twReuse: Enabled
        timestamps: Enabled
      """;

  @Test
  void validProfilesExitZero() throws Exception {
    CliRun result = run("validate", "-f", file("a.yaml", VALID).toString());
    assertThat(result.exit()).isZero();
    assertThat(result.out()).contains("TcpTeardownProfile/web: valid");
  }

  @Test
  void everyViolationOfEveryDocumentIsPrintedAndExitIsOne() throws Exception {
    Path file =
        file(
            "many.yaml",
            VALID
                + """
        ---
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata:
          name: bad
        spec:
          twRecycle: true
          finTimeoutSeconds: 999
        ---
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata:
          name: typo
        spec:
          finTimeout: 30
        """);
    CliRun result = run("validate", "-f", file.toString());
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out())
        .contains("TcpTeardownProfile/web: valid")
        .contains(
            "(document 2): TcpTeardownProfile/bad: rejected",
            "spec.twRecycle: true is rejected",
            "spec.finTimeoutSeconds: 999 is out of range 5..120")
        .contains(
            "(document 3): TcpTeardownProfile/typo: rejected",
            "spec.finTimeout is not a known field");
  }

  @Test
  void severalFilesAreChecked() throws Exception {
    CliRun result =
        run(
            "validate",
            "-f",
            file("a.yaml", VALID).toString(),
            "-f",
            file(
                    "b.yaml",
                    """
        apiVersion: tcpteardown.io/v1alpha1
        kind: TcpTeardownProfile
        metadata:
          name: wrong-type
        spec:
          maxTwBuckets: lots
        """)
                .toString());
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).contains("spec.maxTwBuckets");
  }

  @Test
  void unreadableInputExitsTwoWithoutStackTrace() throws Exception {
    CliRun missing = run("validate", "-f", dir.resolve("nope.yaml").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("no such file").doesNotContain("Exception", "\tat ");

    CliRun garbage = run("validate", "-f", file("g.yaml", "spec: [unclosed").toString());
    assertThat(garbage.exit()).isEqualTo(2);
    assertThat(garbage.err()).contains("not readable as YAML").doesNotContain("\tat ");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("validate").exit()).isEqualTo(2);
    assertThat(run("validate", "--bogus").exit()).isEqualTo(2);
  }

  private static final String HEADER =
      """
      apiVersion: tcpteardown.io/v1alpha1
      kind: TcpTeardownProfile
      metadata:
        name: p
      spec:
      """;

  @Test
  void aRequirementWithoutOperatorExitsOneNamingTheField() throws Exception {
    CliRun result =
        run(
            "validate",
            "-f",
            file(
                    "sel.yaml",
                    HEADER
                        + """
                  finTimeoutSeconds: 30
                  nodeSelector:
                    matchExpressions:
                    - key: tier
                """)
                .toString());
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out())
        .contains("TcpTeardownProfile/p: rejected")
        .contains("spec.nodeSelector.matchExpressions[0].operator: Required value")
        .doesNotContain("null");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void numbersAndEnumsAreNotCoerced() throws Exception {
    for (String spec :
        new String[] {
          "  finTimeoutSeconds: 30.7\n", "  finTimeoutSeconds: \"5\"\n", "  twReuse: 1\n"
        }) {
      CliRun result = run("validate", "-f", file("n.yaml", HEADER + spec).toString());
      assertThat(result.exit()).as(spec).isEqualTo(1);
      assertThat(result.out()).as(spec).contains("is a", "expected");
    }
  }

  @Test
  void duplicateKeysAreRefused() throws Exception {
    CliRun result =
        run(
            "validate",
            "-f",
            file("d.yaml", HEADER + "  finTimeoutSeconds: 30\n  finTimeoutSeconds: 60\n")
                .toString());
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("finTimeoutSeconds", "line").doesNotContain("\tat ");
  }

  @Test
  void noProfilesFoundExitsTwo() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    CliRun none = run("validate", "-f", empty.toString());
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("no profiles found");

    Path noYaml = Files.createDirectories(dir.resolve("noyaml"));
    Files.writeString(noYaml.resolve("README.txt"), "not a profile");
    assertThat(run("validate", "-f", noYaml.toString()).exit()).isEqualTo(2);

    CliRun onlyComments = run("validate", "-f", file("c.yaml", "# nothing\n---\n").toString());
    assertThat(onlyComments.exit()).isEqualTo(2);
    assertThat(onlyComments.err()).contains("no profiles found");
  }

  @Test
  void aListAsKubectlPrintsItIsCheckedItemByItem() throws Exception {
    CliRun result =
        run(
            "validate",
            "-f",
            file(
                    "list.yaml",
                    """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: tcpteardown.io/v1alpha1
          kind: TcpTeardownProfile
          metadata: {name: one, uid: abc, resourceVersion: "5"}
          spec: {finTimeoutSeconds: 30, priority: 0}
          status: {selectedNodes: 1}
        - apiVersion: tcpteardown.io/v1alpha1
          kind: TcpTeardownProfile
          metadata: {name: two}
          spec: {nodeSelector: {matchExpressions: [{key: tier}]}}
        """)
                .toString());
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out())
        .contains("TcpTeardownProfile/one: valid")
        .contains("(document 2): TcpTeardownProfile/two: rejected")
        .contains("spec.nodeSelector.matchExpressions[0].operator: Required value");
  }

  private static final String KUSTOMIZE_OUTPUT =
      """
      apiVersion: v1
      kind: Namespace
      metadata:
        name: web
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: "front\\u001b[31m"
      spec:
        replicas: 2
      """
          + "---\n"
          + VALID
          + """
      ---
      apiVersion: tcpteardown.io/v1alpha1
      kind: TcpTeardownProfile
      metadata:
        name: bad
      spec:
        twRecycle: true
      """;

  @Test
  void standardInputIsReadForDashAndOtherKindsAreSkippedAndCounted() {
    CliRun result = CliRun.withInput(KUSTOMIZE_OUTPUT, "validate", "-f", "-");
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out())
        .contains("(stdin) (document 3): TcpTeardownProfile/web: valid")
        .contains("(stdin) (document 4): TcpTeardownProfile/bad: rejected")
        .contains("skipped 2 document(s) of other kinds")
        .doesNotContain("Namespace/web: rejected", "Deployment");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void aMisspeltKindOfThisGroupIsRejectedNotSkipped() {
    CliRun result =
        CliRun.withInput(
            VALID.replace("kind: TcpTeardownProfile", "kind: TcpTeardownProfil"),
            "validate",
            "-f",
            "-");
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).contains("rejected").doesNotContain("skipped");
  }

  @Test
  void onlyOtherKindsIsNoProfilesFound() {
    CliRun result =
        CliRun.withInput(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", "validate", "-f", "-");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("no profiles found", "1 document(s) of other kinds");
  }

  @Test
  void jsonOutputIsMachineReadable() throws Exception {
    CliRun result = CliRun.withInput(KUSTOMIZE_OUTPUT, "validate", "-f", "-", "-o", "json");
    assertThat(result.exit()).isEqualTo(1);
    var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.out());
    assertThat(tree.path("valid").asInt()).isEqualTo(1);
    assertThat(tree.path("rejected").asInt()).isEqualTo(1);
    assertThat(tree.path("skipped").asInt()).isEqualTo(2);
    assertThat(tree.path("profiles").get(1).path("name").asText()).isEqualTo("bad");
    assertThat(tree.path("profiles").get(1).path("valid").asBoolean()).isFalse();
    assertThat(tree.path("profiles").get(1).path("violations").get(0).path("field").asText())
        .isEqualTo("spec.twRecycle");
    assertThat(tree.path("others").get(1).path("kind").asText()).isEqualTo("Deployment");
    assertThat(tree.path("others").get(1).path("name").asText())
        .doesNotContainPattern("\\p{Cntrl}");
  }

  @Test
  void standardInputCanBeGivenOnce() {
    CliRun result = CliRun.withInput(VALID, "validate", "-f", "-", "-f", "-");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("more than once");
  }
}
