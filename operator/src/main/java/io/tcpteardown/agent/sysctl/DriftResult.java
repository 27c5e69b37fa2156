package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import java.util.List;
import java.util.Map;

/** What a drift check wrote back, and what it could not. */
public record DriftResult(List<DriftCorrection> corrected, Map<ManagedSysctl, FieldError> errors) {
  public DriftResult {
    corrected = List.copyOf(corrected);
    errors = Map.copyOf(errors);
  }
}
