package io.tcpteardown.api;

/** Values of net.ipv4.tcp_tw_reuse. */
public enum TwReuse {
  Disabled(0),
  Enabled(1),
  LoopbackOnly(2);

  private final int sysctlValue;

  TwReuse(int sysctlValue) {
    this.sysctlValue = sysctlValue;
  }

  public int sysctlValue() {
    return sysctlValue;
  }

  public boolean reuses() {
    return this != Disabled;
  }
}
