package io.tcpteardown.api;

/** Values of net.ipv4.tcp_timestamps. */
public enum Timestamps {
  Disabled(0),
  Enabled(1),
  EnabledWithoutOffsets(2);

  private final int sysctlValue;

  Timestamps(int sysctlValue) {
    this.sysctlValue = sysctlValue;
  }

  public int sysctlValue() {
    return sysctlValue;
  }
}
