package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MemTotal of /proc/meminfo: read bounded, and anything unexpected is unknown, never a throw. */
@UnitTest
@Tag("unit")
class MemInfoTest {
  static final String MEMINFO =
      "MemTotal:        4030332 kB\n"
          + "MemFree:          205780 kB\n"
          + "MemAvailable:    2263464 kB\n"
          + "Buffers:          127920 kB\n"
          + "HugePages_Total:       0\n"
          + "Hugepagesize:       2048 kB\n";

  @TempDir Path dir;

  @Test
  void memTotalInBytes() {
    assertThat(MemInfo.parse(MEMINFO)).contains(4030332L * 1024);
    assertThat(MemInfo.parse("MemTotal:\t4030332 kB \r\n")).contains(4030332L * 1024);
    assertThat(MemInfo.parse("MemFree: 1 kB\nMemTotal: 8 kB\nMemTotal: 9 kB\n")).contains(8192L);
  }

  @Test
  void anythingElseIsUnknown() {
    for (String content :
        new String[] {
          "",
          "MemFree: 1 kB\n",
          "MemTotal:        4030332 kB", // cut before its newline
          "MemTotal:        4030332 MB\n",
          "MemTotal:        4030332\n",
          "MemTotal:        -4030332 kB\n",
          "MemTotal:        0 kB\n",
          "MemTotal:        4030x32 kB\n",
          "MemTotal:        +4030332 kB\n",
          "MemTotal:        ٤٠٣٠٣٣٢ kB\n",
          "MemTotal:        9999999999999999 kB\n", // 16 digits
          "MemTotal:        999999999999999 kB\n", // fits 15 digits, too large for the rule
          "MemTotal:  kB\n",
          " MemTotal: 4 kB\n",
        }) {
      assertThat(MemInfo.parse(content)).as(content).isEmpty();
    }
    assertThat(MemInfo.parse(null)).isEmpty();
  }

  @Test
  void onlyTheFirstBytesOfTheFileAreRead() throws Exception {
    Path root = Files.createDirectories(dir.resolve("proc"));
    assertThat(MemInfo.memTotalBytes(root)).isEmpty();
    Files.writeString(root.resolve("meminfo"), MEMINFO);
    assertThat(MemInfo.memTotalBytes(root)).contains(4030332L * 1024);
    // A MemTotal line beyond the bytes read is not seen.
    Files.writeString(
        root.resolve("meminfo"), "X: 1 kB\n".repeat(MemInfo.MAX_BYTES / 8) + "MemTotal: 4 kB\n");
    assertThat(MemInfo.memTotalBytes(root)).isEmpty();
    assertThat(MemInfo.memTotalBytes(root.resolve("missing"))).isEmpty();
  }

  @Property(tries = 2000)
  void randomAndCutInputNeverThrowsAndStaysInBounds(@ForAll("meminfo") String content) {
    Optional<Long> total = MemInfo.parse(content);
    total.ifPresent(
        bytes ->
            assertThat(bytes)
                .isPositive()
                .isLessThanOrEqualTo(MemInfo.MAX_MEMORY_BYTES)
                .matches(b -> b % 1024 == 0));
  }

  @Provide
  Arbitrary<String> meminfo() {
    Arbitrary<String> random = Arbitraries.strings().ofMaxLength(300);
    Arbitrary<String> cut =
        Arbitraries.integers().between(0, MEMINFO.length()).map(n -> MEMINFO.substring(0, n));
    Arbitrary<String> numbers =
        Arbitraries.strings()
            .withChars("0123456789 -+kBMG\n\t")
            .ofMaxLength(40)
            .map(v -> "MemTotal:" + v);
    Arbitrary<String> huge = Arbitraries.longs().map(n -> "MemTotal: " + n + " kB\n");
    return Arbitraries.oneOf(random, cut, numbers, huge);
  }
}
