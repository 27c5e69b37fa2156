package io.tcpteardown.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.tier.UnitTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

@UnitTest
class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsKubernetesStyleAndIsoDurations() {
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(converter.convert("PT45S")).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void refusesWhatIsNotAPositiveDurationAndSaysHowToWriteIt() {
    assertThatThrownBy(() -> converter.convert("soon"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'soon' is not a duration: write it as 500ms, 30s, 5m or 1h");
    assertThatThrownBy(() -> converter.convert("0s"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("positive");
  }
}
