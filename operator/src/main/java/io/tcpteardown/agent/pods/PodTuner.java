package io.tcpteardown.agent.pods;

import io.tcpteardown.agent.sysctl.ApplyResult;
import io.tcpteardown.agent.sysctl.CorruptStateFileException;
import io.tcpteardown.agent.sysctl.PodOriginals;
import io.tcpteardown.agent.sysctl.StateFile;
import io.tcpteardown.agent.sysctl.SysctlApplier;
import io.tcpteardown.agent.sysctl.SysctlFiles;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
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
 * namespace on the dedicated {@link NamespaceThread}, with the originals keyed by pod UID. Every
 * pass re-reads every field, so a pass is also the drift check. A pod whose processes are gone is
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

  /**
   * @param procRoot where proc is mounted; its {@code sys/net/ipv4} resolves to the namespace of
   *     the thread that opens it
   */
  public PodTuner(NamespaceThread thread, StateFile stateFile, Path procRoot) {
    this.thread = thread;
    this.stateFile = stateFile;
    this.files = new SysctlFiles(procRoot);
  }

  /**
   * One pass over the node's pods: every target whose rules set fields, or whose namespace has
   * originals recorded (to restore the fields that left), or that reports only.
   */
  public List<PodTuning> pass(List<Target> targets) {
    Set<String> recorded;
    try {
      recorded = stateFile.podUids();
    } catch (CorruptStateFileException e) {
      return targets.stream()
          .filter(t -> !t.apply().isEmpty())
          .map(t -> refused(t.podUid(), e.getMessage()))
          .toList();
    }
    List<PodTuning> results = new ArrayList<>();
    for (Target target : targets) {
      boolean writes = !target.apply().isEmpty() || recorded.contains(target.podUid());
      if (!writes && target.reportOnly().isEmpty()) {
        continue;
      }
      tune(target, writes).ifPresent(results::add);
    }
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

  private Optional<PodTuning> tune(Target target, boolean writes) {
    SysctlApplier applier = new SysctlApplier(files, new PodOriginals(stateFile, target.podUid()));
    for (int pid : target.namespace().pids()) {
      try {
        Optional<PodTuning> done =
            thread.call(
                pid,
                target.namespace().inode(),
                () -> {
                  // Applied first: a field that just left for ReportOnly is compared restored.
                  ApplyResult result =
                      writes ? applier.apply(target.apply(), Map.of()) : emptyResult();
                  return PodTuning.of(target.podUid(), result, wouldChange(target.reportOnly()));
                });
        if (done.isPresent()) {
          return done;
        }
      } catch (IOException | RuntimeException e) {
        return Optional.of(refused(target.podUid(), "cannot enter its network namespace: " + e));
      }
    }
    // Every process is gone: the pod went away mid-pass. Not an error.
    return Optional.empty();
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

  private static ApplyResult emptyResult() {
    return new ApplyResult(
        List.of(), Map.of(), Map.of(), Map.of(), List.of(), List.of(), false, Optional.empty());
  }

  private static PodTuning refused(String uid, String why) {
    return new PodTuning(uid, Map.of(), List.of(), List.of(), Map.of(), Map.of(), Optional.of(why));
  }
}
