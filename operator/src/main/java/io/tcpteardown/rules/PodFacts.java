package io.tcpteardown.rules;

import java.util.Map;
import java.util.Set;

/**
 * What pod resolution needs to know of one pod of the node.
 *
 * @param ownSysctls the sysctl keys (such as {@code net.ipv4.tcp_fin_timeout}) the pod sets itself
 *     in {@code securityContext.sysctls}: left to the pod
 */
public record PodFacts(
    String uid,
    String namespace,
    String name,
    Map<String, String> labels,
    Map<String, String> namespaceLabels,
    Set<String> ownSysctls) {

  public PodFacts {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    namespaceLabels = namespaceLabels == null ? Map.of() : Map.copyOf(namespaceLabels);
    ownSysctls = ownSysctls == null ? Set.of() : Set.copyOf(ownSysctls);
  }
}
