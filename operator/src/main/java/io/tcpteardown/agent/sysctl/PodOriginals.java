package io.tcpteardown.agent.sysctl;

import java.io.IOException;
import java.util.Optional;

/**
 * The originals of one pod's network namespace, keyed by the pod's UID in the {@code pods} section
 * of the node's state file, so that a restarted agent can restore them.
 */
public record PodOriginals(StateFile file, String podUid) implements OriginalsStore {
  @Override
  public Optional<NamespaceState> loadIfPresent() throws CorruptStateFileException {
    return file.loadPod(podUid);
  }

  @Override
  public void save(NamespaceState state) throws IOException {
    file.savePod(podUid, state);
  }

  @Override
  public String toString() {
    return file + " (pods." + podUid + ")";
  }
}
