package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;

/**
 * A managed value someone else changed ({@code found}) that was written back to {@code expected}.
 */
public record DriftCorrection(ManagedSysctl sysctl, long expected, long found) {
  /** For the Drift condition and the DriftCorrected Event. */
  public String describe() {
    return sysctl.key() + " was " + found + ", written back to " + expected;
  }
}
