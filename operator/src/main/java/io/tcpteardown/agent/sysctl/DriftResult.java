package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What a drift check wrote back, and what it could not. */
public record DriftResult(List<DriftCorrection> corrected, Map<ManagedSysctl, FieldError> errors) {
  public DriftResult {
    corrected = List.copyOf(corrected);
    errors = Map.copyOf(errors);
  }

  /** The values that hold after this check, from those that held before it. */
  public Map<ManagedSysctl, Long> appliedAfter(Map<ManagedSysctl, Long> before) {
    Map<ManagedSysctl, Long> applied = new EnumMap<>(ManagedSysctl.class);
    applied.putAll(before);
    corrected.forEach(c -> applied.put(c.sysctl(), c.expected()));
    errors.keySet().forEach(applied::remove);
    return applied;
  }
}
