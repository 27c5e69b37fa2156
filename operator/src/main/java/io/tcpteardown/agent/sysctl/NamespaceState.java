package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the node-local state file holds for one network namespace, the node's or a pod's: the boot
 * the values were last applied in, each managed sysctl's value before the agent first changed it,
 * and what a newer agent wrote that this one does not understand ({@link Preserved}), kept so that
 * it survives a rollback.
 */
public record NamespaceState(
    String bootId, Map<ManagedSysctl, Long> originals, Preserved preserved) {
  public static final NamespaceState EMPTY = new NamespaceState(null, Map.of());

  public NamespaceState {
    originals = originals.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(originals));
    preserved = preserved == null ? Preserved.NONE : preserved;
  }

  public NamespaceState(String bootId, Map<ManagedSysctl, Long> originals) {
    this(bootId, originals, Preserved.NONE);
  }

  public NamespaceState withOriginal(ManagedSysctl sysctl, long value) {
    Map<ManagedSysctl, Long> next = new EnumMap<>(ManagedSysctl.class);
    next.putAll(originals);
    next.put(sysctl, value);
    return new NamespaceState(bootId, next, preserved);
  }

  public NamespaceState withoutOriginal(ManagedSysctl sysctl) {
    Map<ManagedSysctl, Long> next = new EnumMap<>(ManagedSysctl.class);
    next.putAll(originals);
    next.remove(sysctl);
    return new NamespaceState(bootId, next, preserved);
  }

  public NamespaceState withBootId(String bootId) {
    return new NamespaceState(bootId, originals, preserved);
  }

  /**
   * What a state file written by a newer agent holds beyond this agent's format, kept verbatim and
   * written back on every save.
   *
   * @param version the file's format version, written back as read when higher than this agent's
   * @param fields a JSON object of the top-level fields this agent does not know (such as originals
   *     of pod network namespaces)
   * @param originals a JSON object of the entries of {@code originals} whose sysctl this agent does
   *     not manage
   */
  public record Preserved(int version, String fields, String originals) {
    public static final Preserved NONE = new Preserved(StateFile.VERSION, "{}", "{}");

    public boolean isEmpty() {
      return equals(NONE);
    }
  }
}
