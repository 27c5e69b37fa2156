package io.tcpteardown.agent.pods;

import java.util.List;
import java.util.Optional;

/**
 * One network namespace other than the node's, as a scan of /proc found it.
 *
 * @param inode the namespace's inode (the number in {@code net:[...]}), its identity
 * @param pids the processes in it, ascending; the first one is used to enter it
 * @param pod the pod its processes belong to, from their cgroup paths; empty outside every pod
 */
public record NetworkNamespaceRef(long inode, List<Integer> pids, Optional<PodCgroup> pod) {
  public NetworkNamespaceRef {
    pids = List.copyOf(pids);
  }

  public int firstPid() {
    return pids.getFirst();
  }
}
