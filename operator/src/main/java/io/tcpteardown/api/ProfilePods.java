package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The pods a profile also tunes, on the nodes it selects: their network namespaces get the
 * profile's per-namespace fields (all but maxOrphans, which is node-wide).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProfilePods(
    @JsonPropertyDescription(
            "Selects pods by the labels of their namespace (matchLabels, matchExpressions). Absent"
                + " selects every namespace. To leave out kube-system: matchExpressions"
                + " [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}].")
        NodeSelector namespaceSelector,
    @JsonPropertyDescription(
            "Selects pods by their own labels (matchLabels, matchExpressions). Absent selects every"
                + " pod. hostNetwork pods are never selected: they share the node's namespace.")
        NodeSelector podSelector,
    @JsonPropertyDescription(
            "Apply (default): write the values into each selected pod's network namespace."
                + " ReportOnly: write nothing and report per pod what would change.")
        PodMode mode) {

  public PodMode effectiveMode() {
    return mode == null ? PodMode.Apply : mode;
  }
}
