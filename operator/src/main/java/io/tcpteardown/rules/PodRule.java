package io.tcpteardown.rules;

import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.TeardownSettings;

/**
 * One profile's rule for the pods of a node: which pods (by their namespace's labels and their own
 * labels; an absent selector matches every pod), the profile's priority and per-namespace fields,
 * and whether they are written ({@code reportOnly} false) or only reported.
 */
public record PodRule(
    String profile,
    int priority,
    NodeSelector namespaceSelector,
    NodeSelector podSelector,
    boolean reportOnly,
    TeardownSettings settings) {

  /** The rule as a node's spec carries it; total, whatever the API server admitted. */
  public static PodRule of(io.tcpteardown.api.NodePodRule rule) {
    return new PodRule(
        rule.profile(),
        rule.priority() == null ? 0 : rule.priority(),
        rule.namespaceSelector(),
        rule.podSelector(),
        rule.mode() == io.tcpteardown.api.PodMode.ReportOnly,
        rule.settings());
  }

  /** Whether the rule selects the pod; total, whatever the selectors hold. */
  public boolean selects(PodFacts pod) {
    return LabelSelectors.matches(namespaceSelector, pod.namespaceLabels())
        && LabelSelectors.matches(podSelector, pod.labels());
  }
}
