package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** One pod's network namespace, as the node agent last counted it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodTeardownEntry(
    @JsonPropertyDescription("The pod's namespace (absent when no Pod object matches its UID).")
        String namespace,
    @JsonPropertyDescription("The pod's name (absent when no Pod object matches its UID).")
        String name,
    @JsonPropertyDescription("The pod's UID, from the cgroup path of its processes.") String uid,
    @JsonPropertyDescription(
            "Sockets in each teardown state in the pod's network namespace; "
                + "orphans are its own (teardown sockets no process owns).")
        StateCounts states,
    @JsonPropertyDescription("The pod namespace's own TCPTimeWaitOverflow and TCPAbortOnMemory.")
        KernelCounters counters,
    @JsonPropertyDescription("The pod namespace's own net.ipv4.tcp_max_tw_buckets.")
        Long maxTwBuckets,
    @JsonPropertyDescription("Seconds since these counts were taken.") Long ageSeconds,
    @JsonPropertyDescription("Processes holding CLOSE_WAIT sockets, when a leak is suspected.")
        List<CloseWaitHolder> closeWaitHolders,
    @JsonPropertyDescription("Why this pod is listed: Leak, Pressure, Error or Top.") String listed,
    @JsonPropertyDescription(
            "What the pod rules did in this pod's namespace; absent when none apply.")
        PodTuningEntry tuning) {

  /** An entry without pod rules. */
  public PodTeardownEntry(
      String namespace,
      String name,
      String uid,
      StateCounts states,
      KernelCounters counters,
      Long maxTwBuckets,
      Long ageSeconds,
      List<CloseWaitHolder> closeWaitHolders,
      String listed) {
    this(
        namespace,
        name,
        uid,
        states,
        counters,
        maxTwBuckets,
        ageSeconds,
        closeWaitHolders,
        listed,
        null);
  }

  /** A process that holds CLOSE_WAIT sockets: the peer closed, it has not called close(). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CloseWaitHolder(
      @JsonPropertyDescription("Process id on the node.") Integer pid,
      @JsonPropertyDescription("Command name.") String command,
      @JsonPropertyDescription("Container id, from the process's cgroup path.") String containerId,
      @JsonPropertyDescription("CLOSE_WAIT sockets it holds.") Long sockets) {}
}
