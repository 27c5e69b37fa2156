package io.tcpteardown.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What tenants name reaches the API, Events, metrics and logs as printable ASCII of a bound. */
@UnitTest
class SafeTextTest {

  @Test
  void escapeSequencesNewlinesNulDelAndInvalidUtf8BecomeHexEscapes() {
    byte[] comm = {
      0x1b, '[', '3', '1', 'm', 'x', '\n', 0, 0x7f, (byte) 0xff, (byte) 0xc3, '(', 0x07, '\t', '\r'
    };
    assertThat(SafeText.of(comm)).isEqualTo("\\x1b[31mx\\x0a\\x00\\x7f\\xff\\xc3(\\x07\\x09\\x0d");
  }

  @Test
  void nonAsciiTextIsEscapedByteByByteAndBidiOverridesDoNotSurvive() {
    assertThat(SafeText.of("café")).isEqualTo("caf\\xc3\\xa9");
    assertThat(SafeText.of("a\u202Eb")).isEqualTo("a\\xe2\\x80\\xaeb");
    assertThat(SafeText.of("ok \"quoted\" text")).isEqualTo("ok \"quoted\" text");
    assertThat(SafeText.of((String) null)).isNull();
  }

  @Test
  void safeTextStaysTheSameWhenMadeSafeAgain() {
    String once = SafeText.of("\u001b]0;title\u0007\n");
    assertThat(SafeText.of(once)).isEqualTo(once);
    assertThat(once.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
  }

  @Test
  void aCapKeepsTheBeginningAndSaysHowMuchIsLeftOutWithinTheCap() {
    String capped = SafeText.cap("x".repeat(10_000), 100);
    assertThat(capped).hasSize(100 - 32 + "... (9932 more characters)".length());
    assertThat(capped.length()).isLessThanOrEqualTo(100);
    assertThat(capped).endsWith("... (9932 more characters)");
    assertThat(SafeText.cap("short", 100)).isEqualTo("short");
  }

  @Test
  void joinWithinKeepsTheExactCountHoweverLongTheItems() {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 110; i++) {
      items.add("item-" + i + " " + "y".repeat(900));
    }
    String joined = SafeText.joinWithin(items, "; ", 5, 2048, " pods");
    assertThat(joined.length()).isLessThanOrEqualTo(2048);
    assertThat(joined).startsWith("item-0 ").contains("item-1 ").endsWith("; and 108 more pods");

    String one = SafeText.joinWithin(List.of("z".repeat(5_000)), "; ", 5, 2048, " pods");
    assertThat(one.length()).isLessThanOrEqualTo(2048);
    assertThat(one).endsWith("more characters)");

    assertThat(SafeText.join(List.of("a", "b", "c"), ", ", 2, " processes"))
        .isEqualTo("a, b, and 1 more processes");
  }

  @Test
  void namesAreProseWithTheExactCountOfTheRest() {
    assertThat(SafeText.names(List.of("a", "b", "c", "d"), 2)).isEqualTo("a, b and 2 more");
    assertThat(SafeText.names(List.of("a", "b"), 2)).isEqualTo("a, b");
    assertThat(SafeText.names(List.of(), 5)).isEmpty();
  }

  @Test
  void joinWithinSaysWhatItIsToldOfTheRestAndStaysWithinTheBound() {
    List<String> sentences = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sentences.add("node-" + i + ": " + "y".repeat(600) + ".");
    }
    String joined =
        SafeText.joinWithin(
            sentences, " ", 5, 2048, more -> " And " + more + (more == 1 ? " node." : " nodes."));
    assertThat(joined.length()).isLessThanOrEqualTo(2048);
    assertThat(joined).startsWith("node-0: ").contains(" node-2: ").endsWith(" And 17 nodes.");
    assertThat(SafeText.joinWithin(List.of("x", "y"), " ", 1, 2048, more -> " +" + more))
        .isEqualTo("x +1");
  }
}
