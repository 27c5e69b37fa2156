package io.tcpteardown.rules.advice;

import io.tcpteardown.api.AdviceEntry;
import java.util.List;
import java.util.Map;

/**
 * One node's advice as its {@code status.advice} holds it, with the node's labels (for the
 * nodeSelector of the profiles made from it). Read from the cluster, or computed on the node
 * itself.
 *
 * @param node the node's name (its TcpTeardownNode's)
 * @param labels the Node's labels (empty when unknown)
 * @param advice the entries, untrusted: anything the API server admits
 */
public record NodeAdvice(String node, Map<String, String> labels, List<AdviceEntry> advice) {
  public NodeAdvice {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    advice =
        advice == null ? List.of() : advice.stream().filter(java.util.Objects::nonNull).toList();
  }
}
