package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed for a profile; written by the operator only. */
@JsonClassDescription(
    "Written by the operator: conditions (Ready, Reconciling and Stalled as kstatus reads"
        + " them; Accepted, Applied, Conflict, HeldBack, TeardownPressure), how many nodes are"
        + " selected and have applied the profile, on how many there is advice about its fields,"
        + " the summed socket state counts and a per-node list.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TcpTeardownProfileStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
    @JsonPropertyDescription(ProfileConditions.DESCRIPTION) @Size(max = 16)
        List<Condition> conditions,
    @JsonPropertyDescription("Nodes the selector matches.") Integer selectedNodes,
    @JsonPropertyDescription(
            "Selected nodes whose agent reports every setting this profile won there applied.")
        Integer appliedNodes,
    @JsonPropertyDescription("Sum of each state count over the selected nodes.") StateCounts totals,
    @JsonPropertyDescription("Per selected node, sorted by name, at most 100 entries.")
        @Size(max = 100)
        List<ProfileNodeEntry> nodes,
    @JsonPropertyDescription(
            "True when more than 100 nodes are selected and nodes lists only the first 100.")
        Boolean nodesTruncated,
    @JsonPropertyDescription(
            "With spec.pods: how many pods the profile's pod rules select on its nodes, how many"
                + " have its values applied and how many have errors.")
        PodSummary podSummary,
    @JsonPropertyDescription(
            "Selected nodes whose status.advice advises on a field this profile sets: HostNetwork"
                + " advice about its fields, Pod advice about the fields its spec.pods rule sets"
                + " (read from the advice entries a node lists). At most selectedNodes; absent when"
                + " none.")
        Integer adviceNodes) {

  /** A status without advice counted. */
  public TcpTeardownProfileStatus(
      Long observedGeneration,
      List<Condition> conditions,
      Integer selectedNodes,
      Integer appliedNodes,
      StateCounts totals,
      List<ProfileNodeEntry> nodes,
      Boolean nodesTruncated,
      PodSummary podSummary) {
    this(
        observedGeneration,
        conditions,
        selectedNodes,
        appliedNodes,
        totals,
        nodes,
        nodesTruncated,
        podSummary,
        null);
  }

  /** A status without pods. */
  public TcpTeardownProfileStatus(
      Long observedGeneration,
      List<Condition> conditions,
      Integer selectedNodes,
      Integer appliedNodes,
      StateCounts totals,
      List<ProfileNodeEntry> nodes,
      Boolean nodesTruncated) {
    this(
        observedGeneration,
        conditions,
        selectedNodes,
        appliedNodes,
        totals,
        nodes,
        nodesTruncated,
        null,
        null);
  }
}
