package io.tcpteardown.agent.sysctl;

import io.tcpteardown.api.ManagedSysctl;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the node-local state file holds: the boot the values were last applied in, and each managed
 * sysctl's value before the agent first changed it.
 */
public record NodeState(String bootId, Map<ManagedSysctl, Long> originals) {
  public static final NodeState EMPTY = new NodeState(null, Map.of());

  public NodeState {
    originals = originals.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(originals));
  }

  public NodeState withOriginal(ManagedSysctl sysctl, long value) {
    Map<ManagedSysctl, Long> next = new EnumMap<>(ManagedSysctl.class);
    next.putAll(originals);
    next.put(sysctl, value);
    return new NodeState(bootId, next);
  }

  public NodeState withoutOriginal(ManagedSysctl sysctl) {
    Map<ManagedSysctl, Long> next = new EnumMap<>(ManagedSysctl.class);
    next.putAll(originals);
    next.remove(sysctl);
    return new NodeState(bootId, next);
  }

  public NodeState withBootId(String bootId) {
    return new NodeState(bootId, originals);
  }
}
