package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A managed value someone else changed ({@code found}) that was written back to {@code expected}.
 */
public record DriftCorrection(ManagedSysctl sysctl, long expected, long found) {
  /** For the Drift condition and the DriftCorrected Event. */
  public String describe() {
    return sysctl.key() + " was " + found + ", written back to " + expected;
  }

  /** The DriftCorrected Event's message, on the node's TcpTeardownNode or on a Pod. */
  public static String eventMessage(List<DriftCorrection> corrected) {
    return "changed outside the operator: "
        + corrected.stream().map(DriftCorrection::describe).collect(Collectors.joining("; "));
  }
}
