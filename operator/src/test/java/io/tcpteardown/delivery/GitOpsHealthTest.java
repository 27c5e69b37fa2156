package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tcpteardown.testsupport.HealthJudges;
import io.tcpteardown.testsupport.HealthJudges.FluxHealth;
import io.tcpteardown.testsupport.HealthJudges.Kstatus;
import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's Argo CD health scripts against their upstream-layout tests ({@code health_test.yaml}
 * beside each script, objects in {@code testdata/}), run by Debian's Lua 5.1 (Argo CD's gopher-lua
 * is Lua 5.1) with only the libraries Argo CD gives scripts from argocd-cm; and the same objects
 * judged by kstatus's rules and by the Flux {@code healthCheckExprs} of docs/gitops.md with the CEL
 * library: the three agree.
 */
@UnitTest
class GitOpsHealthTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Case(Path script, Path input, String status, String message) {
    @Override
    public String toString() {
      return script.getParent().getFileName() + "/" + input.getFileName();
    }
  }

  @BeforeAll
  static void lua() {
    boolean present =
        Stream.of(System.getenv("PATH").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "lua5.1")));
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(
          present, "needs Debian's lua5.1 (apt-get install lua5.1, as .ci/run does)");
    }
  }

  static List<Case> cases() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (String kind : List.of("TcpTeardownProfile", "TcpTeardownNode")) {
      Path dir = HealthJudges.ARGOCD.resolve(kind);
      for (JsonNode test : YAML.readTree(dir.resolve("health_test.yaml").toFile()).path("tests")) {
        cases.add(
            new Case(
                dir.resolve("health.lua"),
                dir.resolve(test.path("inputPath").asText()),
                test.path("healthStatus").path("status").asText(),
                test.path("healthStatus").path("message").asText()));
      }
    }
    return cases;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theScriptGivesTheHealthItsTestsExpect(Case test) throws Exception {
    JsonNode object = YAML.readTree(test.input().toFile());
    HealthJudges.ArgoHealth health = HealthJudges.argoCd(object);
    assertThat(health).isEqualTo(new HealthJudges.ArgoHealth(test.status(), test.message()));
  }

  /** Argo CD, kstatus and Flux say the same of every test object that has a status. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void kstatusAndFluxAgreeWithArgoCd(Case test) throws Exception {
    JsonNode object = YAML.readTree(test.input().toFile());
    if (!object.has("status")) {
      // kstatus's own rule: no conditions and no observedGeneration is Current; only Argo CD's
      // script waits for the operator's first status (docs/gitops.md says so).
      assertThat(HealthJudges.kstatus(object)).isEqualTo(Kstatus.CURRENT);
      assertThat(HealthJudges.flux(object, HealthJudges.FLUX)).isEqualTo(FluxHealth.ERROR);
      return;
    }
    Map<String, Kstatus> kstatus =
        Map.of(
            "Healthy",
            Kstatus.CURRENT,
            "Progressing",
            Kstatus.IN_PROGRESS,
            "Degraded",
            Kstatus.FAILED);
    Map<String, FluxHealth> flux =
        Map.of(
            "Healthy",
            FluxHealth.CURRENT,
            "Progressing",
            FluxHealth.IN_PROGRESS,
            "Degraded",
            FluxHealth.FAILED);
    assertThat(HealthJudges.kstatus(object)).isEqualTo(kstatus.get(test.status()));
    assertThat(HealthJudges.flux(object, HealthJudges.FLUX)).isEqualTo(flux.get(test.status()));
  }

  @Test
  void everyHealthIsReachedForBothKinds() throws Exception {
    assertThat(cases())
        .filteredOn(c -> c.script().toString().contains("TcpTeardownProfile"))
        .extracting(Case::status)
        .contains("Healthy", "Progressing", "Degraded");
    assertThat(cases())
        .filteredOn(c -> c.script().toString().contains("TcpTeardownNode"))
        .extracting(Case::status)
        .contains("Healthy", "Progressing", "Degraded");
  }

  /** The harness is Argo CD's sandbox: a script using the string library fails in it. */
  @Test
  void theStringLibraryIsNotThere() throws Exception {
    Path script = Files.createTempFile("uses-string", ".lua");
    try {
      Files.writeString(script, "local hs = {}\nhs.status = string.upper('healthy')\nreturn hs\n");
      Path literal = Files.createTempFile("obj", ".lua");
      Files.writeString(literal, "return {}\n");
      Process lua =
          new ProcessBuilder(
                  "lua5.1",
                  "src/test/resources/argocd/health-env.lua",
                  script.toString(),
                  literal.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(lua.getInputStream().readAllBytes());
      assertThat(lua.waitFor()).as(out).isEqualTo(1);
      assertThat(out).contains("string");
      Files.writeString(script, "local hs = {}\nhs.status = ('healthy'):upper()\nreturn hs\n");
      lua =
          new ProcessBuilder(
                  "lua5.1",
                  "src/test/resources/argocd/health-env.lua",
                  script.toString(),
                  literal.toString())
              .redirectErrorStream(true)
              .start();
      out = new String(lua.getInputStream().readAllBytes());
      assertThat(lua.waitFor()).as(out).isEqualTo(1);
      Files.delete(literal);
    } finally {
      Files.delete(script);
    }
  }
}
