package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.api.ManagedSysctl;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one pass of {@link PodTuner} did in one pod's network namespace.
 *
 * @param applied the kernel's values (read back) of the fields the pod's rules write
 * @param changed fields this pass wrote (a first apply, or drift written back)
 * @param restored fields put back to their original because they left the pod's rules
 * @param errors per field, the message naming sysctl, value and what to do
 * @param wouldChange ReportOnly fields whose value differs: field to its current and wanted value
 * @param problem a reason nothing was written (safety rules, corrupt or unwritable state file)
 */
public record PodTuning(
    String podUid,
    Map<ManagedSysctl, Long> applied,
    List<ManagedSysctl> changed,
    List<ManagedSysctl> restored,
    Map<ManagedSysctl, String> errors,
    Map<ManagedSysctl, Change> wouldChange,
    Optional<String> problem) {

  public PodTuning {
    applied = Map.copyOf(applied);
    changed = List.copyOf(changed);
    restored = List.copyOf(restored);
    errors = Map.copyOf(errors);
    wouldChange = Map.copyOf(wouldChange);
  }

  static PodTuning of(String podUid, ApplyResult result, Map<ManagedSysctl, Change> wouldChange) {
    Map<ManagedSysctl, String> errors = new java.util.EnumMap<>(ManagedSysctl.class);
    result.errors().forEach((sysctl, error) -> errors.put(sysctl, error.message()));
    Optional<String> problem =
        result.stateFileProblem().isPresent()
            ? result.stateFileProblem()
            : result.rejected().isEmpty()
                ? Optional.empty()
                : Optional.of(
                    "refused by the safety rules, nothing written: "
                        + result.rejected().stream().map(Object::toString).toList());
    return new PodTuning(
        podUid,
        result.applied(),
        result.changed(),
        result.restored(),
        errors,
        wouldChange,
        problem);
  }

  /** A ReportOnly field's value now and the value its rules would write. */
  public record Change(long current, long wanted) {}

  /** Whether the pod has an error of any kind. */
  public boolean failed() {
    return !errors.isEmpty() || problem.isPresent();
  }
}
