package io.tcpteardown.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@UnitTest
class PressureRuleTest {
  @ParameterizedTest(name = "{0} of {1}: {2}")
  @CsvSource({
    "89, 100, false",
    "90, 100, true",
    "100, 100, true",
    "0, 0, false",
    "5, 0, false",
    "5, -1, false",
    "-5, 10, false",
    // Where count * 100 overflows a long: the comparison stays exact.
    "9223372036854775807, 9223372036854775807, true",
    "9223372036854775807, 10, true",
    "1, 9223372036854775807, false",
    "8301034833169298227, 9223372036854775807, true",
    "8301034833169298226, 9223372036854775807, false",
  })
  void reachedAtNinetyPercentExactly(long count, long limit, boolean reached) {
    assertThat(PressureRule.reached(count, limit)).isEqualTo(reached);
  }
}
