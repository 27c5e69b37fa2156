package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.SafetyRules;
import io.tcpteardown.rules.Violation;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the kernel match a node's settings, safely: checks them against the safety rules first (any
 * violation: no write at all), records each field's original value in the state file before its
 * first change, writes, reads back, and puts back the original of every field that left the
 * settings. Not thread-safe.
 */
public final class SysctlApplier {
  private static final Logger LOG = LoggerFactory.getLogger(SysctlApplier.class);
  private static final String SPEC = "spec.";

  private final SysctlFiles files;
  private final OriginalsStore stateFile;
  private final NodeMemory memory;

  /** Without the node's memory: for pods' namespaces, whose rules never carry maxOrphans. */
  public SysctlApplier(SysctlFiles files, OriginalsStore stateFile) {
    this(files, stateFile, NodeMemory.unknown());
  }

  /**
   * @param memory the node's memory, for the safety rule on maxOrphans, read at every check
   */
  public SysctlApplier(SysctlFiles files, OriginalsStore stateFile, NodeMemory memory) {
    this.files = files;
    this.stateFile = stateFile;
    this.memory = memory;
  }

  /** Every safety rule the operator applies, the node-aware memory rules included. */
  private List<Violation> violations(TeardownSettings desired) {
    boolean needsMemory = desired.maxOrphans() != null || desired.childEhashEntries() != null;
    Long bytes = needsMemory ? memory.bytes().orElse(null) : null;
    Long maxPods = desired.childEhashEntries() == null ? null : memory.maxPods().orElse(null);
    return SafetyRules.validateSettings(desired, SPEC, bytes, maxPods);
  }

  /**
   * @param originalsMirror the {@code status.original} last reported (sysctl key to value): adopted
   *     when the state file is gone, after the same strict checks as user input; the state file
   *     wins when both exist. While the state file cannot be read, the result's originals are the
   *     mirror's, so that publishing them keeps the last good copy.
   */
  public ApplyResult apply(TeardownSettings desired, Map<String, String> originalsMirror) {
    List<Violation> violations = violations(desired);
    OriginalsMirror mirror = OriginalsMirror.parse(originalsMirror);
    Optional<NamespaceState> saved;
    try {
      saved = stateFile.loadIfPresent();
    } catch (CorruptStateFileException e) {
      return ApplyResult.nothingWritten(violations, mirror.values(), Optional.of(e.getMessage()));
    }
    NamespaceState state;
    if (saved.isPresent()) {
      state = saved.get();
    } else {
      if (!mirror.violations().isEmpty()) {
        List<Violation> refused = new ArrayList<>(violations);
        refused.addAll(mirror.violations());
        return ApplyResult.nothingWritten(refused, mirror.values(), Optional.empty());
      }
      state = adopt(mirror, originalsMirror);
    }
    if (!violations.isEmpty()) {
      return ApplyResult.nothingWritten(violations, state.originals(), Optional.empty());
    }
    warnIfMirrorDisagrees(state, originalsMirror);
    String bootId = files.bootId().orElse(null);
    boolean rebooted = state.bootId() != null && bootId != null && !state.bootId().equals(bootId);
    Pass pass = new Pass(state);
    try {
      pass.restoreFieldsThatLeft(desired);
      pass.applyDesired(desired);
      if (!Objects.equals(pass.state.bootId(), bootId)) {
        pass.save(pass.state.withBootId(bootId));
      }
    } catch (StateSaveException e) {
      return new ApplyResult(
          List.of(),
          pass.applied,
          pass.state.originals(),
          pass.errors,
          pass.restored,
          pass.changed,
          false,
          Optional.of(e.getMessage()));
    }
    return new ApplyResult(
        List.of(),
        pass.applied,
        pass.state.originals(),
        pass.errors,
        pass.restored,
        pass.changed,
        rebooted && !pass.changed.isEmpty(),
        Optional.empty());
  }

  /**
   * Re-reads every desired field that has a recorded original and writes back a value someone else
   * changed. A field without a recorded original is never written here, only reported, so that the
   * agent applies again (which records the original first, or says why it cannot). An unreadable
   * state file stops every write.
   */
  public DriftResult correctDrift(TeardownSettings desired) {
    if (!violations(desired).isEmpty()) {
      return new DriftResult(List.of(), Map.of());
    }
    NamespaceState state;
    try {
      state = stateFile.load();
    } catch (CorruptStateFileException e) {
      Map<ManagedSysctl, FieldError> errors = new EnumMap<>(ManagedSysctl.class);
      desired
          .sysctlValues()
          .keySet()
          .forEach(
              sysctl ->
                  errors.put(
                      sysctl,
                      new FieldError(
                          sysctl,
                          FieldError.Reason.IO,
                          sysctl.key() + " not checked for drift: " + e.getMessage())));
      return new DriftResult(List.of(), errors);
    }
    List<DriftCorrection> corrected = new ArrayList<>();
    Map<ManagedSysctl, FieldError> errors = new EnumMap<>(ManagedSysctl.class);
    desired
        .sysctlValues()
        .forEach(
            (sysctl, value) -> {
              if (!state.originals().containsKey(sysctl)) {
                errors.put(
                    sysctl,
                    new FieldError(
                        sysctl,
                        FieldError.Reason.IO,
                        sysctl.key()
                            + " has no recorded original in the state file "
                            + stateFile
                            + ": a drift check does not write it; the next apply records it first"));
                return;
              }
              try {
                OptionalLong current = files.read(sysctl);
                if (current.isEmpty()) {
                  errors.put(sysctl, missing(sysctl));
                } else if (current.getAsLong() != value) {
                  writeAndReadBack(sysctl, value)
                      .ifPresentOrElse(
                          error -> errors.put(sysctl, error),
                          () ->
                              corrected.add(
                                  new DriftCorrection(sysctl, value, current.getAsLong())));
                }
              } catch (IOException e) {
                errors.put(sysctl, ioError(sysctl, e));
              }
            });
    return new DriftResult(corrected, errors);
  }

  /** One apply: the state as it evolves and what happened to each field. */
  private final class Pass {
    NamespaceState state;
    final Map<ManagedSysctl, Long> applied = new EnumMap<>(ManagedSysctl.class);
    final Map<ManagedSysctl, FieldError> errors = new EnumMap<>(ManagedSysctl.class);
    final List<ManagedSysctl> restored = new ArrayList<>();
    final List<ManagedSysctl> changed = new ArrayList<>();

    Pass(NamespaceState state) {
      this.state = state;
    }

    /**
     * An original leaves the state file only once the kernel holds it: written and read back, or
     * read and found equal. A sysctl that cannot be read keeps its original, with an error.
     */
    void restoreFieldsThatLeft(TeardownSettings desired) throws StateSaveException {
      for (var entry : state.originals().entrySet()) {
        ManagedSysctl sysctl = entry.getKey();
        long original = entry.getValue();
        if (desired.sysctlValue(sysctl) != null) {
          continue;
        }
        try {
          OptionalLong current = files.read(sysctl);
          if (current.isEmpty()) {
            errors.put(
                sysctl,
                cannotRestore(
                    sysctl, original, FieldError.Reason.MISSING, "it does not exist here now"));
            continue;
          }
          if (current.getAsLong() != original) {
            Optional<FieldError> error = writeAndReadBack(sysctl, original);
            if (error.isPresent()) {
              errors.put(sysctl, error.get());
              continue;
            }
            restored.add(sysctl);
          }
        } catch (IOException e) {
          errors.put(
              sysctl,
              cannotRestore(
                  sysctl, original, FieldError.Reason.IO, "cannot read it: " + e.getMessage()));
          continue;
        }
        save(state.withoutOriginal(sysctl));
      }
    }

    void applyDesired(TeardownSettings desired) throws StateSaveException {
      for (var entry : desired.sysctlValues().entrySet()) {
        ManagedSysctl sysctl = entry.getKey();
        long value = entry.getValue();
        try {
          OptionalLong current = files.read(sysctl);
          if (current.isEmpty()) {
            errors.put(sysctl, missing(sysctl));
            continue;
          }
          if (!state.originals().containsKey(sysctl)) {
            save(state.withOriginal(sysctl, current.getAsLong()));
          }
          if (current.getAsLong() == value) {
            applied.put(sysctl, value);
            continue;
          }
          Optional<FieldError> error = writeAndReadBack(sysctl, value);
          if (error.isPresent()) {
            errors.put(sysctl, error.get());
          } else {
            applied.put(sysctl, value);
            changed.add(sysctl);
          }
        } catch (IOException e) {
          errors.put(sysctl, ioError(sysctl, e));
        }
      }
    }

    /** The state file is written before the kernel: an original is never lost to a crash. */
    void save(NamespaceState next) throws StateSaveException {
      try {
        stateFile.save(next);
        state = next;
      } catch (IOException e) {
        throw new StateSaveException(
            "cannot save the state file "
                + stateFile
                + " ("
                + e.getMessage()
                + "): no further sysctl is changed until it can be written, so that originals are never lost; check "
                + "the hostPath volume and free space");
      }
    }
  }

  private static final class StateSaveException extends Exception {
    StateSaveException(String message) {
      super(message);
    }
  }

  private Optional<FieldError> writeAndReadBack(ManagedSysctl sysctl, long value)
      throws IOException {
    try {
      files.write(sysctl, value);
    } catch (AccessDeniedException e) {
      return Optional.of(notWritable(sysctl, value, e));
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      if (message.contains("Read-only file system")
          || message.contains("Operation not permitted")
          || message.contains("Permission denied")) {
        return Optional.of(notWritable(sysctl, value, e));
      }
      return Optional.of(
          new FieldError(
              sysctl,
              FieldError.Reason.IO,
              "writing "
                  + value
                  + " to "
                  + sysctl.key()
                  + " failed ("
                  + message
                  + "): the kernel refused the value; check its limits in the kernel's "
                  + "ip-sysctl documentation"));
    }
    OptionalLong readBack = files.read(sysctl);
    if (readBack.isEmpty() || readBack.getAsLong() != value) {
      return Optional.of(
          new FieldError(
              sysctl,
              FieldError.Reason.READ_BACK_MISMATCH,
              sysctl.key()
                  + " was written as "
                  + value
                  + " but reads back as "
                  + (readBack.isEmpty() ? "nothing" : readBack.getAsLong())
                  + ": the kernel did not keep the value; check the kernel log and its limits for "
                  + sysctl.key()));
    }
    return Optional.empty();
  }

  private NamespaceState adopt(OriginalsMirror mirror, Map<String, String> raw) {
    if (!mirror.unknownKeys().isEmpty()) {
      LOG.warn(
          "status.original names {}, which this agent does not manage: not adopted",
          mirror.unknownKeys());
    }
    NamespaceState adopted = mirror.adopted();
    if (!adopted.originals().isEmpty()) {
      LOG.info(
          "state file {} is missing: adopting the originals reported in status.original {}",
          stateFile,
          raw);
    }
    return adopted;
  }

  private void warnIfMirrorDisagrees(NamespaceState state, Map<String, String> mirror) {
    state
        .originals()
        .forEach(
            (sysctl, value) -> {
              String reported = mirror.get(sysctl.key());
              if (reported != null && !reported.strip().equals(Long.toString(value))) {
                LOG.warn(
                    "status.original says {}={}, the state file {} says {}: the state file wins",
                    sysctl.key(),
                    reported,
                    stateFile,
                    value);
              }
            });
  }

  private FieldError missing(ManagedSysctl sysctl) {
    if (sysctl.scope() == ManagedSysctl.Scope.NAMESPACES_CREATED_LATER) {
      return new FieldError(
          sysctl,
          FieldError.Reason.MISSING,
          sysctl.field()
              + " is unsupported on this node: its kernel (Linux "
              + files.kernelRelease().orElse("of unknown release")
              + ") has no "
              + sysctl.key()
              + ", which needs Linux 6.1 or later; pods keep sharing the node's TCP hash table and"
              + " the other fields are applied");
    }
    String why =
        sysctl.scope() == ManagedSysctl.Scope.NODE
            ? ": it is node-wide and exists only in the initial network namespace; run the agent with hostNetwork: true"
            : ": this kernel does not have it; remove "
                + sysctl.field()
                + " from the profiles that select this node";
    return new FieldError(
        sysctl,
        FieldError.Reason.MISSING,
        sysctl.key() + " does not exist in this network " + "namespace" + why);
  }

  private static FieldError cannotRestore(
      ManagedSysctl sysctl, long original, FieldError.Reason reason, String why) {
    return new FieldError(
        sysctl,
        reason,
        sysctl.key()
            + " left the spec but was not restored to its original "
            + original
            + " ("
            + why
            + "): the original stays in the state file and is restored once the sysctl can be read");
  }

  private static FieldError notWritable(ManagedSysctl sysctl, long value, IOException e) {
    return new FieldError(
        sysctl,
        FieldError.Reason.NOT_WRITABLE,
        sysctl.key()
            + " is not writable here (writing "
            + value
            + ": "
            + e.getMessage()
            + "): the agent needs a privileged pod (privileged: true) with "
            + "hostNetwork: true");
  }

  private static FieldError ioError(ManagedSysctl sysctl, IOException e) {
    return new FieldError(
        sysctl, FieldError.Reason.IO, "cannot read " + sysctl.key() + ": " + e.getMessage());
  }
}
