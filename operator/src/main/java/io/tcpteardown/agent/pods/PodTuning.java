package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.api.ManagedSysctl;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one pass of {@link PodTuner} did in one pod's network namespace.
 *
 * @param result the apply, or the drift check as one, of the fields the pod's rules write: the same
 *     type as the node's
 * @param wouldChange ReportOnly fields whose value differs: field to its current and wanted value
 * @param notTuned a reason the pass did nothing in this pod (its namespace could not be entered,
 *     the state file could not be read)
 * @param corrected values someone else changed that this pass wrote back (empty otherwise)
 * @param state the pod's state after this pass, when its rules write fields
 */
public record PodTuning(
    String podUid,
    ApplyResult result,
    Map<ManagedSysctl, Change> wouldChange,
    Optional<String> notTuned,
    List<DriftCorrection> corrected,
    Optional<PodTuningState> state) {

  public PodTuning {
    wouldChange = Map.copyOf(wouldChange);
    corrected = List.copyOf(corrected);
  }

  /** A pass that did nothing in the pod, for {@code why}. */
  static PodTuning notTuned(String podUid, String why) {
    return new PodTuning(
        podUid, ApplyResult.NONE, Map.of(), Optional.of(why), List.of(), Optional.empty());
  }

  /** A ReportOnly field's value now and the value its rules would write. */
  public record Change(long current, long wanted) {}

  /**
   * Whether this pass may have changed a value in the pod's namespace: a field changed, restored or
   * corrected, or a write that failed part way.
   */
  public boolean wrote() {
    return !result.changed().isEmpty()
        || !result.restored().isEmpty()
        || !corrected.isEmpty()
        || !result.errors().isEmpty();
  }

  /** The kernel's values (read back) of the fields the pod's rules write. */
  public Map<ManagedSysctl, Long> applied() {
    return result.applied();
  }

  /** Per field, the message naming sysctl, value and what to do. */
  public Map<ManagedSysctl, String> errors() {
    Map<ManagedSysctl, String> errors = new EnumMap<>(ManagedSysctl.class);
    result.errors().forEach((sysctl, error) -> errors.put(sysctl, error.message()));
    return errors;
  }

  /** A reason nothing was written (safety rules, corrupt or unwritable state file, no entry). */
  public Optional<String> problem() {
    if (notTuned.isPresent()) {
      return notTuned;
    }
    if (result.stateFileProblem().isPresent()) {
      return result.stateFileProblem();
    }
    return result.rejected().isEmpty()
        ? Optional.empty()
        : Optional.of(
            "refused by the safety rules, nothing written: "
                + result.rejected().stream().map(Object::toString).toList());
  }

  /** Whether the pod has an error of any kind. */
  public boolean failed() {
    return !result.errors().isEmpty() || problem().isPresent();
  }
}
