package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Map;

/** What the node agent observed and did; written by the agent only. */
@JsonClassDescription(
    "Written by the node's agent: conditions (Ready, Reconciling and Stalled as kstatus"
        + " reads them; Applied, Error, Drift and others), the values applied and read back, the"
        + " originals, socket state counts (states for the whole node, hostStates for its own"
        + " network namespace), kernel counters and the agent's version and features.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TcpTeardownNodeStatus(
    @JsonPropertyDescription("The metadata.generation of the spec the agent last acted on.")
        Long observedGeneration,
    @JsonPropertyDescription("Sysctl name to the value read back from the kernel after writing.")
        Map<String, String> applied,
    @JsonPropertyDescription(
            "Sysctl name to the node's value before the first change; restored when no profile sets it.")
        Map<String, String> original,
    @JsonPropertyDescription(
            "Sockets in each teardown state on the whole node: the node's network namespace and"
                + " every pod's; orphans are node-wide (sockstat), what tcp_max_orphans limits.")
        StateCounts states,
    @JsonPropertyDescription("Kernel counters that show teardown trouble.") KernelCounters counters,
    @JsonPropertyDescription("Times a managed value changed by someone else was written back.")
        Long driftCorrections,
    @JsonPropertyDescription(NodeConditions.DESCRIPTION) @Size(max = MAX_CONDITIONS)
        List<Condition> conditions,
    @JsonPropertyDescription("The agent that wrote this status.") AgentInfo agent,
    @JsonPropertyDescription("When the agent last wrote this status (RFC 3339).")
        String lastReportTime,
    @JsonPropertyDescription(
            "When states and counters were counted (RFC 3339). Older than lastReportTime when the"
                + " latest count failed: then countError says why and how old they are.")
        String countTime,
    @JsonPropertyDescription(
            "Why the latest count of states and counters failed, and the age of the numbers shown"
                + " (they are stale); absent when the latest count succeeded.")
        @Size(max = MAX_COUNT_ERROR)
        String countError,
    @JsonPropertyDescription(
            "Sockets in each teardown state in the node's own network namespace alone (the node's"
                + " services and hostNetwork pods).")
        StateCounts hostStates,
    @JsonPropertyDescription(
            "Pods with a problem (CloseWait leak, pressure against their own namespace's limits)"
                + " and then the pods with the most teardown sockets, at most --status-pod-limit;"
                + " whatever the number of problems, at most "
                + MAX_PODS
                + " entries and 128 KiB (podsTruncated then says so).")
        @Size(max = MAX_PODS)
        List<PodTeardownEntry> pods,
    @JsonPropertyDescription("How many pod network namespaces the last sweep counted.")
        Integer podNamespaces,
    @JsonPropertyDescription("True when more pods were counted than pods lists.")
        Boolean podsTruncated,
    @JsonPropertyDescription("When the pods were last swept (RFC 3339).") String podsCountTime,
    @JsonPropertyDescription(
            "Equal-priority profiles that set one field of the same pods differently; the first"
                + " profile wins.")
        @Size(max = PodConflictEntry.MAX_CONFLICTS)
        List<PodConflictEntry> podConflicts,
    @JsonPropertyDescription("Per profile with pod rules: pods matched, applied, with errors.")
        @Size(max = PodRuleResult.MAX_RULES)
        List<PodRuleResult> podRules,
    @JsonPropertyDescription(
            "Advice from what the node's and its pods' namespaces do: which field to change, to"
                + " what and why, with the evidence; the node's first, at most "
                + AdviceEntry.MAX_ENTRIES
                + " (adviceCount says how many there are). The node annotation "
                + "tcpteardown.io/advice: \"off\" turns it off for the node.")
        @Size(max = AdviceEntry.MAX_ENTRIES)
        List<AdviceEntry> advice,
    @JsonPropertyDescription("How many pieces of advice there are, listed or not.")
        Integer adviceCount) {

  /** This status with the advice the agent shows (and how many pieces there are in all). */
  public TcpTeardownNodeStatus withAdvice(List<AdviceEntry> entries, int count) {
    return new TcpTeardownNodeStatus(
        observedGeneration,
        applied,
        original,
        states,
        counters,
        driftCorrections,
        conditions,
        agent,
        lastReportTime,
        countTime,
        countError,
        hostStates,
        pods,
        podNamespaces,
        podsTruncated,
        podsCountTime,
        podConflicts,
        podRules,
        entries.isEmpty() ? null : List.copyOf(entries),
        count);
  }

  /**
   * The largest status an agent writes, in bytes of JSON; docs/status-bounds.md shows how the
   * per-field bounds add up to it.
   */
  public static final int MAX_BYTES = 256 * 1024;

  /** Condition types a node's status holds at most (it has seven). */
  public static final int MAX_CONDITIONS = 16;

  /** Entries of status.pods at most. */
  public static final int MAX_PODS = 128;

  /** Characters of countError at most. */
  public static final int MAX_COUNT_ERROR = 1024;

  /** A status whose counts are as fresh as the report, without pods or pod rules. */
  public TcpTeardownNodeStatus(
      Long observedGeneration,
      Map<String, String> applied,
      Map<String, String> original,
      StateCounts states,
      KernelCounters counters,
      Long driftCorrections,
      List<Condition> conditions,
      AgentInfo agent,
      String lastReportTime) {
    this(
        observedGeneration,
        applied,
        original,
        states,
        counters,
        driftCorrections,
        conditions,
        agent,
        lastReportTime,
        lastReportTime,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
