package io.tcpteardown.rules;

/**
 * One broken safety rule: the field (as a path under the object), the offending value, the rule's
 * short name, and a message that says why and what to do instead.
 */
public record Violation(String field, String value, String rule, String message) {
  @Override
  public String toString() {
    return message;
  }
}
