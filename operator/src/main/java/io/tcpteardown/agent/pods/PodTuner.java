package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.CorruptStateFileException;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.agent.sysctl.DriftResult;
import io.tcpteardown.agent.sysctl.PodOriginals;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.agent.sysctl.SysctlApplier;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes pods' network namespaces match what their rules resolved to, with the node's safety: the
 * same {@link SysctlApplier} (allowlist, safety rules re-checked, original recorded in the state
 * file before the first change, read back, restore of fields that left), run inside each pod's
 * namespace on the dedicated {@link NamespaceThread}, with the originals keyed by pod UID. Once a
 * pod's settings are applied, a pass is its drift check, backed off like the node's while someone
 * else keeps writing the pod's values ({@link PodTuningState}). A pod whose processes are gone is
 * skipped; the entries of pods that no longer exist are dropped, nothing restored.
 */
public final class PodTuner {
  private static final Logger LOG = LoggerFactory.getLogger(PodTuner.class);

  /** One pod to tune: its namespace as scanned, what it should hold, what to report only. */
  public record Target(
      String podUid,
      NetworkNamespaceRef namespace,
      TeardownSettings apply,
      TeardownSettings reportOnly) {}

  private final NamespaceThread thread;
  private final StateFile stateFile;
  private final SysctlFiles files;
  private final java.util.function.LongConsumer wroteIn;
  // Confined to the thread that runs the passes.
  private final Map<String, PodTuningState> states = new HashMap<>();

  /**
   * @param procRoot where proc is mounted; its {@code sys/net/ipv4} resolves to the namespace of
   *     the thread that opens it
   */
  public PodTuner(NamespaceThread thread, StateFile stateFile, Path procRoot) {
    this(thread, stateFile, procRoot, inode -> {});
  }

  /**
   * A tuner that tells {@code wroteIn} the namespace inode of every pass that wrote there (the
   * sweep's {@link NamespaceFacts#forget}, so that the next sweep reads what was written).
   */
  public PodTuner(
      NamespaceThread thread,
      StateFile stateFile,
      Path procRoot,
      java.util.function.LongConsumer wroteIn) {
    this.thread = thread;
    this.stateFile = stateFile;
    this.files = new SysctlFiles(procRoot);
    this.wroteIn = wroteIn;
  }

  /**
   * One pass now, every pass a drift check (no backoff pace): see {@link #pass(List, Instant,
   * Duration)}.
   */
  public List<PodTuning> pass(List<Target> targets) {
    return pass(targets, Instant.now(), Duration.ZERO);
  }

  /**
   * One pass over the node's pods at {@code now}: every target whose rules set fields, or whose
   * namespace has originals recorded (to restore the fields that left), or that reports only. A pod
   * whose settings are unchanged since a clean apply is drift-checked, as the node is, and left
   * alone while its drift fight backs off ({@link PodTuningState#next}); drift checks are {@code
   * driftInterval} apart.
   */
  public List<PodTuning> pass(List<Target> targets, Instant now, Duration driftInterval) {
    Set<String> recorded;
    try {
      recorded = stateFile.podUids();
    } catch (CorruptStateFileException e) {
      states.clear();
      return targets.stream()
          .filter(t -> !t.apply().isEmpty())
          .map(t -> PodTuning.notTuned(t.podUid(), e.getMessage()))
          .toList();
    }
    List<PodTuning> results = new ArrayList<>();
    Map<String, PodTuningState> kept = new HashMap<>();
    for (Target target : targets) {
      boolean writes = !target.apply().isEmpty() || recorded.contains(target.podUid());
      if (!writes && target.reportOnly().isEmpty()) {
        continue;
      }
      Optional<PodTuning> tuning = tune(target, writes, now, driftInterval);
      tuning.ifPresent(results::add);
      tuning.flatMap(PodTuning::state).ifPresent(state -> kept.put(target.podUid(), state));
    }
    states.clear();
    states.putAll(kept);
    return results;
  }

  /**
   * Drops the recorded originals of every pod not in {@code existingPods} (the Pod objects of this
   * node): a pod that is gone took its namespace with it. Call only with a synced pod list.
   */
  public Set<String> forgetPodsOtherThan(Set<String> existingPods) throws IOException {
    Set<String> dropped = stateFile.retainPods(existingPods);
    if (!dropped.isEmpty()) {
      LOG.info("dropped the recorded originals of pods that are gone: {}", dropped);
    }
    return dropped;
  }

  private Optional<PodTuning> tune(
      Target target, boolean writes, Instant now, Duration driftInterval) {
    SysctlApplier applier = new SysctlApplier(files, new PodOriginals(stateFile, target.podUid()));
    PodTuningState previous = states.get(target.podUid());
    for (int pid : target.namespace().pids()) {
      try {
        Optional<PodTuning> done =
            thread.call(
                pid,
                target.namespace().inode(),
                () -> {
                  // Applied first: a field that just left for ReportOnly is compared restored.
                  PodTuning tuning =
                      writes
                          ? write(target, applier, previous, now, driftInterval)
                          : new PodTuning(
                              target.podUid(),
                              ApplyResult.NONE,
                              Map.of(),
                              Optional.empty(),
                              List.of(),
                              Optional.empty());
                  return new PodTuning(
                      tuning.podUid(),
                      tuning.result(),
                      wouldChange(target.reportOnly()),
                      tuning.notTuned(),
                      tuning.corrected(),
                      tuning.state());
                });
        if (done.isPresent()) {
          if (done.get().wrote()) {
            wroteIn.accept(target.namespace().inode());
          }
          return done;
        }
      } catch (IOException | RuntimeException e) {
        return Optional.of(
            PodTuning.notTuned(target.podUid(), "cannot enter its network namespace: " + e));
      }
    }
    // Every process is gone: the pod went away mid-pass. Not an error.
    return Optional.empty();
  }

  /** On the namespace thread: an apply, a drift check or nothing, as the pod's state says. */
  private static PodTuning write(
      Target target,
      SysctlApplier applier,
      PodTuningState previous,
      Instant now,
      Duration driftInterval) {
    TeardownSettings desired = target.apply();
    return switch (PodTuningState.next(previous, desired, now)) {
      case APPLY -> {
        ApplyResult result = applier.apply(desired, Map.of());
        yield tuned(target, result, List.of(), PodTuningState.applied(previous, desired, result));
      }
      case CHECK_DRIFT -> {
        DriftResult drift = applier.correctDrift(desired);
        yield tuned(
            target,
            ApplyResult.driftChecked(previous.applied(), drift),
            drift.corrected(),
            previous.checked(drift, now, driftInterval));
      }
      case BACK_OFF ->
          tuned(
              target,
              ApplyResult.driftChecked(previous.applied(), new DriftResult(List.of(), Map.of())),
              List.of(),
              previous);
    };
  }

  private static PodTuning tuned(
      Target target, ApplyResult result, List<DriftCorrection> corrected, PodTuningState state) {
    return new PodTuning(
        target.podUid(), result, Map.of(), Optional.empty(), corrected, Optional.of(state));
  }

  /** On the namespace thread: the ReportOnly fields whose value differs from the wanted one. */
  private Map<ManagedSysctl, PodTuning.Change> wouldChange(TeardownSettings reportOnly)
      throws IOException {
    Map<ManagedSysctl, PodTuning.Change> differing = new EnumMap<>(ManagedSysctl.class);
    for (var entry : reportOnly.sysctlValues().entrySet()) {
      OptionalLong current = files.read(entry.getKey());
      if (current.isPresent() && current.getAsLong() != entry.getValue()) {
        differing.put(entry.getKey(), new PodTuning.Change(current.getAsLong(), entry.getValue()));
      }
    }
    return differing;
  }
}
