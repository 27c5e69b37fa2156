package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tcpteardown.testsupport.PrometheusBinaries;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's PrometheusRule, rendered by Helm, checked and unit-tested by Debian's promtool (2.42)
 * against series written in src/test/resources/prometheus/alerts-test.yml: every alert fires where
 * it should and stays quiet where it should, and breaking an expression or a threshold makes those
 * tests fail. A unit test: promtool evaluates the rules in its own process on the series given, no
 * server, no root; it needs the promtool binary (skips without it outside CI, fails under CI=true).
 */
@UnitTest
class PrometheusRuleTest {
  static final Path ALERT_TESTS = Path.of("src/test/resources/prometheus/alerts-test.yml");
  static final List<String> SHIPPED =
      List.of(
          "TcpTeardownAgentNotReporting",
          "TcpTeardownAgentTargetDown",
          "TcpTeardownOperatorDown",
          "TcpTeardownOperatorNoLeader",
          "TcpTeardownProfileRejected",
          "TcpTeardownProfileConflict",
          "TcpTeardownProfileNotApplied",
          "TcpTeardownApplyErrors",
          "TcpTeardownDriftCorrectionsRising",
          "TcpTeardownPressure",
          "TcpTeardownCloseWaitLeak",
          "TcpTeardownAdvice");

  @TempDir Path work;

  private PrometheusBinaries.Result testRules(ChartAlertRules rules) throws IOException {
    Files.writeString(work.resolve("rules.yml"), rules.yaml());
    Files.copy(
        ALERT_TESTS,
        work.resolve("alerts-test.yml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return PrometheusBinaries.promtool(work, "test", "rules", "alerts-test.yml");
  }

  @Test
  void everyShippedAlertPassesCheckRules() throws Exception {
    ChartAlertRules rules = ChartAlertRules.render(Map.of());
    assertThat(rules.alerts()).containsExactlyInAnyOrderElementsOf(SHIPPED);
    Files.writeString(work.resolve("rules.yml"), rules.yaml());
    PrometheusBinaries.Result check =
        PrometheusBinaries.promtool(work, "check", "rules", "rules.yml");
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + SHIPPED.size() + " rules found");
  }

  @Test
  void everyAlertFiresAndStaysQuietAsItsUnitTestsSay() throws Exception {
    PrometheusBinaries.Result result = testRules(ChartAlertRules.render(Map.of()));
    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  /** Each alert has at least one case where it fires and one where it must not. */
  @Test
  void theUnitTestsHaveAFiringAndAQuietCaseForEveryAlert() throws Exception {
    JsonNode tests = new ObjectMapper(new YAMLFactory()).readTree(ALERT_TESTS.toFile());
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (JsonNode test : tests.get("tests")) {
      for (JsonNode alertTest : test.get("alert_rule_test")) {
        String alert = alertTest.get("alertname").asText();
        (alertTest.path("exp_alerts").isEmpty() ? quiet : firing).add(alert);
      }
    }
    assertThat(firing).containsExactlyInAnyOrderElementsOf(SHIPPED);
    assertThat(quiet).containsExactlyInAnyOrderElementsOf(SHIPPED);
  }

  static Stream<Arguments> brokenExpressions() {
    return SHIPPED.stream()
        .flatMap(
            alert ->
                Stream.of(
                    // A renamed metric: the alert never fires (or, on a missing scrape
                    // target, always).
                    Arguments.of(
                        alert,
                        (java.util.function.UnaryOperator<String>)
                            e ->
                                e.contains("tcp_teardown_")
                                    ? e.replace("tcp_teardown_", "tcp_teardwn_")
                                    : e.replace("up{", "upp{"),
                        "misspelled metric"),
                    // The comparison dropped: it fires on every series.
                    Arguments.of(
                        alert,
                        (java.util.function.UnaryOperator<String>)
                            e -> e.replaceFirst("\\s*(>|==)\\s*[0-9.]+\\s*$", ""),
                        "comparison dropped")));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("brokenExpressions")
  void aBrokenExpressionFailsItsUnitTests(
      String alert, java.util.function.UnaryOperator<String> breakIt, String how) throws Exception {
    ChartAlertRules rules = ChartAlertRules.render(Map.of());
    String broken = breakIt.apply(rules.expr(alert));
    assertThat(broken)
        .as("the mutation changes " + rules.expr(alert))
        .isNotEqualTo(rules.expr(alert));
    PrometheusBinaries.Result result = testRules(rules.withExpr(alert, broken));
    assertThat(result.exit()).as(how + ": " + broken + "\n" + result.output()).isNotZero();
    assertThat(result.output()).contains("alertname: " + alert);
  }

  /** Thresholds from values reach the expressions: other values break the default cases. */
  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("otherThresholds")
  void anotherThresholdFailsTheUnitTestsOfTheDefaults(String value, Object other, String alert)
      throws Exception {
    PrometheusBinaries.Result result = testRules(ChartAlertRules.render(Map.of(value, other)));
    assertThat(result.exit()).as(result.output()).isNotZero();
    assertThat(result.output()).contains("alertname: " + alert);
  }

  static Stream<Arguments> otherThresholds() {
    return Stream.of(
        Arguments.of(
            "metrics.prometheusRule.agentNotReportingSeconds",
            3000,
            "TcpTeardownAgentNotReporting"),
        Arguments.of(
            "metrics.prometheusRule.driftCorrectionsPer30m",
            0,
            "TcpTeardownDriftCorrectionsRising"),
        Arguments.of("metrics.prometheusRule.teardownPressureFor", "2m", "TcpTeardownPressure"),
        Arguments.of("metrics.prometheusRule.closeWaitLeakFor", "2m", "TcpTeardownCloseWaitLeak"),
        Arguments.of(
            "metrics.prometheusRule.profileRejectedFor", "30m", "TcpTeardownProfileRejected"),
        Arguments.of("metrics.prometheusRule.conflictFor", "5m", "TcpTeardownProfileConflict"),
        Arguments.of("metrics.prometheusRule.notAppliedFor", "5m", "TcpTeardownProfileNotApplied"),
        Arguments.of("metrics.prometheusRule.adviceFor", "60m", "TcpTeardownAdvice"),
        Arguments.of(
            "metrics.prometheusRule.agentJob", "other-agents", "TcpTeardownAgentTargetDown"),
        Arguments.of(
            "metrics.prometheusRule.operatorJob", "other-operators", "TcpTeardownOperatorDown"));
  }

  /** Every alert links to its own section of the runbook in the repository. */
  @Test
  void everyAlertLinksToItsSectionOfTheRunbook() throws Exception {
    ChartAlertRules rules =
        ChartAlertRules.render(
            Map.of("metrics.prometheusRule.runbookBaseUrl", "https://example.org/runbook.md"));
    Set<String> anchors = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("../docs/runbook.md"))) {
      if (line.startsWith("## ")) {
        anchors.add(line.substring(3).strip().toLowerCase(java.util.Locale.ROOT));
      }
    }
    for (String alert : SHIPPED) {
      assertThat(rules.annotation(alert, "runbook_url"))
          .as(alert)
          .isEqualTo("https://example.org/runbook.md#" + alert.toLowerCase(java.util.Locale.ROOT));
      assertThat(anchors)
          .as("docs/runbook.md has a section for " + alert)
          .contains(alert.toLowerCase(java.util.Locale.ROOT));
    }
  }
}
