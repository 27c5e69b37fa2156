package io.tcpteardown.agent.pods;

import java.util.Map;
import java.util.Set;

/**
 * What the agent keeps of a Pod object of its node: enough to name it, and what pod rules select on
 * (its labels) and leave to it (the sysctl keys it sets itself in securityContext.sysctls), and
 * whether it has finished (Succeeded or Failed: its namespace is gone).
 */
public record PodMeta(
    String namespace,
    String name,
    String uid,
    boolean hostNetwork,
    Map<String, String> labels,
    Set<String> ownSysctls,
    boolean finished) {

  public PodMeta {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    ownSysctls = ownSysctls == null ? Set.of() : Set.copyOf(ownSysctls);
  }

  public PodMeta(String namespace, String name, String uid, boolean hostNetwork) {
    this(namespace, name, uid, hostNetwork, Map.of(), Set.of(), false);
  }
}
