package io.tcpteardown.agent.sysctl;

import java.io.IOException;
import java.util.Optional;

/**
 * Where {@link SysctlApplier} keeps the originals of one network namespace: the node's own section
 * of the state file ({@link StateFile}) or one pod's ({@link PodOriginals}).
 */
public interface OriginalsStore {
  /** The saved state, empty when nothing was ever saved. */
  Optional<NamespaceState> loadIfPresent() throws CorruptStateFileException;

  /** The saved state, {@link NamespaceState#EMPTY} when nothing was ever saved. */
  default NamespaceState load() throws CorruptStateFileException {
    return loadIfPresent().orElse(NamespaceState.EMPTY);
  }

  /** Saves atomically, before the kernel is written. */
  void save(NamespaceState state) throws IOException;
}
