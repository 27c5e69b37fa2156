package io.tcpteardown.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class ManagedSysctlDisplayTest {
  @Test
  void enumFieldsAreShownByTheNamesProfilesUse() {
    assertThat(ManagedSysctl.TW_REUSE.displayValue(2)).isEqualTo("LoopbackOnly");
    assertThat(ManagedSysctl.TW_REUSE.displayValue(0)).isEqualTo("Disabled");
    assertThat(ManagedSysctl.TIMESTAMPS.displayValue(2)).isEqualTo("EnabledWithoutOffsets");
    assertThat(ManagedSysctl.TIMESTAMPS.displayValue(1)).isEqualTo("Enabled");
  }

  @Test
  void numbersAndUnnamedValuesStayNumbers() {
    assertThat(ManagedSysctl.FIN_TIMEOUT.displayValue(2)).isEqualTo("2");
    assertThat(ManagedSysctl.TW_REUSE.displayValue(7)).isEqualTo("7");
  }
}
