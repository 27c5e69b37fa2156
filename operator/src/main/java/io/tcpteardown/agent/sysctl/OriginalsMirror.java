package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.rules.Violation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A TcpTeardownNode's {@code status.original} as read from the API server, checked as strictly as
 * user input before any of it is trusted as a node's original: each value must be a plain integer
 * within the kernel's own bounds for that sysctl ({@link KernelBounds}). Anyone allowed to write
 * the status could have put anything there.
 *
 * @param values every entry of a managed sysctl that is an integer (within bounds or not), to keep
 *     publishing what was there
 * @param violations every entry that may not be adopted, naming the field, the value and the bound
 * @param unknownKeys sysctls this agent does not manage (written by a newer agent); never adopted
 */
public record OriginalsMirror(
    Map<ManagedSysctl, Long> values, List<Violation> violations, List<String> unknownKeys) {
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");

  public OriginalsMirror {
    values = values.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(values));
    violations = List.copyOf(violations);
    unknownKeys = List.copyOf(unknownKeys);
  }

  public static OriginalsMirror parse(Map<String, String> mirror) {
    Map<ManagedSysctl, Long> values = new EnumMap<>(ManagedSysctl.class);
    List<Violation> violations = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    new TreeMap<>(mirror)
        .forEach(
            (key, text) -> {
              var sysctl = ManagedSysctl.byKey(key);
              if (sysctl.isEmpty()) {
                unknown.add(key);
                return;
              }
              String field = "status.original[" + key + "]";
              Long value = parseLong(text);
              if (value == null) {
                violations.add(
                    new Violation(
                        field,
                        String.valueOf(text),
                        "original-is-integer",
                        field
                            + " is "
                            + (text == null ? "null" : "'" + text + "'")
                            + ", not an integer"
                            + REMEDY));
                return;
              }
              values.put(sysctl.get(), value);
              KernelBounds bounds = KernelBounds.of(sysctl.get());
              if (!bounds.contains(value)) {
                violations.add(
                    new Violation(
                        field,
                        Long.toString(value),
                        "original-within-kernel-bounds",
                        field
                            + " is "
                            + value
                            + ", outside "
                            + bounds.describe()
                            + ": no kernel holds such a value"
                            + REMEDY));
              }
            });
    return new OriginalsMirror(values, violations, unknown);
  }

  private static final String REMEDY =
      "; the agent adopts nothing from status.original and writes no sysctl while the state file is "
          + "missing. Put the node's true original there (a patch of the TcpTeardownNode's status subresource), "
          + "or remove the entry to let the agent record the current value as the original";

  private static Long parseLong(String text) {
    if (text == null || !INTEGER.matcher(text).matches()) {
      return null;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The node state to adopt when the state file is gone; only when there are no violations. */
  public NamespaceState adopted() {
    if (!violations.isEmpty()) {
      throw new IllegalStateException("status.original has violations: " + violations);
    }
    return new NamespaceState(null, values);
  }
}
