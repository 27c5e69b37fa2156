package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.rules.Violation;
import io.tcpteardown.tier.UnitTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** status.original is checked against what a kernel can hold, at both edges of each bound. */
@UnitTest
class OriginalsMirrorTest {
  private static final String INT_MAX = Integer.toString(Integer.MAX_VALUE);
  private static final String BEYOND_INT = Long.toString(Integer.MAX_VALUE + 1L);

  @Test
  void theEdgesOfTheKernelsBoundsAreAdoptedAndOneBeyondIsRefused() {
    Map<String, String> edges =
        Map.of(
            "net.ipv4.tcp_orphan_retries", "255",
            "net.ipv4.tcp_fin_timeout", INT_MAX,
            "net.ipv4.tcp_max_orphans", "0",
            "net.ipv4.tcp_max_tw_buckets", INT_MAX,
            "net.ipv4.tcp_tw_reuse", "2",
            "net.ipv4.tcp_timestamps", "255");
    OriginalsMirror ok = OriginalsMirror.parse(edges);
    assertThat(ok.violations()).isEmpty();
    assertThat(ok.adopted().originals()).hasSize(6);

    Map<String, String> beyond =
        Map.of(
            "net.ipv4.tcp_orphan_retries", "256",
            "net.ipv4.tcp_fin_timeout", "-1",
            "net.ipv4.tcp_max_orphans", BEYOND_INT,
            "net.ipv4.tcp_max_tw_buckets", "-1",
            "net.ipv4.tcp_tw_reuse", "3",
            "net.ipv4.tcp_timestamps", "256");
    OriginalsMirror refused = OriginalsMirror.parse(beyond);
    assertThat(refused.violations())
        .extracting(Violation::field)
        .containsExactlyInAnyOrder(
            beyond.keySet().stream().map(k -> "status.original[" + k + "]").toArray(String[]::new));
    assertThat(refused.violations())
        .allSatisfy(v -> assertThat(v.message()).contains(v.field(), v.value(), "outside"));
    assertThat(refused.values()).hasSize(6);
  }

  @Test
  void onlyPlainIntegersAreNumbersAndUnknownSysctlsAreNeverAdopted() {
    for (String text : new String[] {"", " 60", "60 ", "+60", "6e1", "60.0", "0x3c", "١٢"}) {
      OriginalsMirror parsed = OriginalsMirror.parse(Map.of("net.ipv4.tcp_fin_timeout", text));
      assertThat(parsed.violations())
          .as("'%s'", text)
          .singleElement()
          .satisfies(v -> assertThat(v.message()).contains("not an integer"));
      assertThat(parsed.values()).as("'%s'", text).isEmpty();
    }
    OriginalsMirror newer =
        OriginalsMirror.parse(
            Map.of("net.ipv4.tcp_keepalive_time", "7200", "net.ipv4.tcp_fin_timeout", "60"));
    assertThat(newer.violations()).isEmpty();
    assertThat(newer.unknownKeys()).containsExactly("net.ipv4.tcp_keepalive_time");
    assertThat(newer.adopted().originals())
        .containsExactly(Map.entry(ManagedSysctl.FIN_TIMEOUT, 60L));
  }
}
