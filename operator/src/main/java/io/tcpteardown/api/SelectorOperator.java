package io.tcpteardown.api;

/** The operators of a label selector requirement, as the Kubernetes API spells them. */
public enum SelectorOperator {
  In,
  NotIn,
  Exists,
  DoesNotExist;

  /** The operator of this spelling, or null for anything else (null included). */
  public static SelectorOperator parse(String spelling) {
    for (SelectorOperator operator : values()) {
      if (operator.name().equals(spelling)) {
        return operator;
      }
    }
    return null;
  }

  /** In and NotIn compare against values and need at least one; Exists and DoesNotExist none. */
  public boolean needsValues() {
    return this == In || this == NotIn;
  }
}
