package io.tcpteardown.agent;

import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.agent.sysctl.DriftFight;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the agent last did to the kernel, as its status reports it.
 *
 * @param generation the TcpTeardownNode generation acted on
 * @param desired the settings of that generation
 * @param applied values read back after writing, for the desired fields that took effect
 * @param originals values before the first change, from the node-local state file
 * @param problems why something was not applied (refused settings, a corrupt state file, per-field
 *     errors)
 * @param lastDrift what the last drift check wrote back (empty when it found nothing)
 * @param driftCorrections all drift corrections so far, carried over agent restarts through the
 *     status
 * @param fight drift found at consecutive checks, and when the next check is due
 */
public record AgentState(
    long generation,
    TeardownSettings desired,
    Map<ManagedSysctl, Long> applied,
    Map<ManagedSysctl, Long> originals,
    Problems problems,
    List<DriftCorrection> lastDrift,
    long driftCorrections,
    DriftFight fight) {

  public AgentState {
    applied = Map.copyOf(applied);
    originals = Map.copyOf(originals);
    lastDrift = List.copyOf(lastDrift);
  }

  /** A state outside any drift fight. */
  public AgentState(
      long generation,
      TeardownSettings desired,
      Map<ManagedSysctl, Long> applied,
      Map<ManagedSysctl, Long> originals,
      Problems problems,
      List<DriftCorrection> lastDrift,
      long driftCorrections) {
    this(
        generation,
        desired,
        applied,
        originals,
        problems,
        lastDrift,
        driftCorrections,
        DriftFight.NONE);
  }

  public static AgentState initial(long driftCorrections) {
    return new AgentState(
        0,
        TeardownSettings.NONE,
        Map.of(),
        Map.of(),
        Problems.NONE,
        List.of(),
        driftCorrections,
        DriftFight.NONE);
  }

  /**
   * Why the kernel does not match the spec. A refusal or a corrupt state file means nothing was
   * written.
   *
   * @param refused safety-rule messages for settings the agent refused to write
   * @param stateFile what is wrong with the state file
   * @param fields per-field failures, sysctl key to message
   */
  public record Problems(
      List<String> refused, Optional<String> stateFile, Map<String, String> fields) {
    public static final Problems NONE = new Problems(List.of(), Optional.empty(), Map.of());

    public Problems {
      refused = List.copyOf(refused);
      fields = Map.copyOf(fields);
    }

    public boolean any() {
      return !refused.isEmpty() || stateFile.isPresent() || !fields.isEmpty();
    }

    /** Every problem in one line, for a condition message or an Event. */
    public String text() {
      List<String> parts = new ArrayList<>(refused);
      stateFile.ifPresent(parts::add);
      parts.addAll(new TreeMap<>(fields).values());
      return String.join("; ", parts);
    }

    public int count() {
      return refused.size() + (stateFile.isPresent() ? 1 : 0) + fields.size();
    }
  }
}
