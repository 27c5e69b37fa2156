package io.tcpteardown.rules.advice;

import io.tcpteardown.api.ManagedSysctl;

/**
 * One piece of advice for one namespace: set {@code field} from {@code current} to {@code
 * suggested} (the value as a profile writes it: a number, or the enum's name), because of {@code
 * reason}; {@code message} says why with the evidence's numbers (at most {@link
 * AdviceThresholds#MAX_MESSAGE} characters).
 */
public record Advice(
    AdviceReason reason, ManagedSysctl field, Long current, Object suggested, String message) {

  /** What identifies the same advice from one report to the next. */
  public Key key() {
    return new Key(reason, field);
  }

  /** The rule and the field. */
  public record Key(AdviceReason reason, ManagedSysctl field) {}
}
