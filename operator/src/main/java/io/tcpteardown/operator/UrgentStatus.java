package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The part of a profile's status that is written at once when it changes, what a user acts on: the
 * observed generation, the number of selected nodes and each condition's type, status, reason and
 * observed generation. The rest (counts, entries, messages) is written at a bounded rate ({@link
 * StatusWritePolicy}).
 */
record UrgentStatus(Long observedGeneration, Integer selectedNodes, List<List<String>> conditions) {

  static UrgentStatus of(TcpTeardownProfileStatus status) {
    return of(
        status.observedGeneration(),
        status.selectedNodes(),
        status.conditions() == null ? List.of() : status.conditions());
  }

  static UrgentStatus of(
      Long observedGeneration, Integer selectedNodes, List<Condition> conditions) {
    return new UrgentStatus(
        observedGeneration,
        selectedNodes,
        conditions.stream()
            .filter(Objects::nonNull)
            .map(
                c ->
                    Arrays.asList(
                        c.getType(),
                        c.getStatus(),
                        c.getReason(),
                        c.getObservedGeneration() == null
                            ? null
                            : String.valueOf(c.getObservedGeneration())))
            .toList());
  }
}
