package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.rules.Violation;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of making the kernel match a node's settings.
 *
 * @param rejected safety-rule violations of the settings, and entries of {@code status.original}
 *     that may not be adopted ({@link OriginalsMirror}); when any, nothing was written
 * @param applied values read back after writing, for the desired fields that took effect
 * @param originals the state file's original values after this apply; when the state file cannot be
 *     read or the mirror cannot be adopted, the values of {@code status.original}, so that
 *     publishing them keeps the last good copy
 * @param errors per field: missing sysctl, not writable, read-back mismatch, other I/O
 * @param restored fields put back to their original value by this call
 * @param changed fields whose kernel value this call changed to the desired one
 * @param reappliedAfterReboot the node rebooted since the last apply and values were written again
 * @param stateFileProblem a corrupt or unwritable state file; when present, nothing was written
 */
public record ApplyResult(
    List<Violation> rejected,
    Map<ManagedSysctl, Long> applied,
    Map<ManagedSysctl, Long> originals,
    Map<ManagedSysctl, FieldError> errors,
    List<ManagedSysctl> restored,
    List<ManagedSysctl> changed,
    boolean reappliedAfterReboot,
    Optional<String> stateFileProblem) {

  public ApplyResult {
    rejected = List.copyOf(rejected);
    applied = Map.copyOf(applied);
    originals = Map.copyOf(originals);
    errors = Map.copyOf(errors);
    restored = List.copyOf(restored);
    changed = List.copyOf(changed);
  }

  static ApplyResult nothingWritten(
      List<Violation> rejected,
      Map<ManagedSysctl, Long> originals,
      Optional<String> stateFileProblem) {
    return new ApplyResult(
        rejected, Map.of(), originals, Map.of(), List.of(), List.of(), false, stateFileProblem);
  }

  /** Nothing to write and nothing written. */
  public static final ApplyResult NONE =
      new ApplyResult(
          List.of(), Map.of(), Map.of(), Map.of(), List.of(), List.of(), false, Optional.empty());

  /**
   * A drift check as an apply: what held before and was written back holds, a field that failed
   * does not; {@code changed} names the fields written back.
   */
  public static ApplyResult driftChecked(Map<ManagedSysctl, Long> before, DriftResult drift) {
    return new ApplyResult(
        List.of(),
        drift.appliedAfter(before),
        Map.of(),
        drift.errors(),
        List.of(),
        drift.corrected().stream().map(DriftCorrection::sysctl).toList(),
        false,
        Optional.empty());
  }
}
