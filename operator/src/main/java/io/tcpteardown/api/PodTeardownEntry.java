package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** One pod's network namespace, as the node agent last counted it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodTeardownEntry(
    @JsonPropertyDescription("The pod's namespace (absent when no Pod object matches its UID).")
        @Size(max = MAX_NAMESPACE)
        String namespace,
    @JsonPropertyDescription("The pod's name (absent when no Pod object matches its UID).")
        @Size(max = MAX_NAME)
        String name,
    @JsonPropertyDescription("The pod's UID, from the cgroup path of its processes.")
        @Size(max = MAX_UID)
        String uid,
    @JsonPropertyDescription(
            "Sockets in each teardown state in the pod's network namespace; "
                + "orphans are its own (teardown sockets no process owns).")
        StateCounts states,
    @JsonPropertyDescription("The pod namespace's own TCPTimeWaitOverflow and TCPAbortOnMemory.")
        KernelCounters counters,
    @JsonPropertyDescription("The pod namespace's own net.ipv4.tcp_max_tw_buckets.")
        Long maxTwBuckets,
    @JsonPropertyDescription("Seconds since these counts were taken.") Long ageSeconds,
    @JsonPropertyDescription(
            "Processes holding CLOSE_WAIT sockets, when a leak is suspected: those holding the most,"
                + " at most "
                + MAX_HOLDERS
                + "; closeWaitHolderCount says how many there are.")
        @Size(max = MAX_HOLDERS)
        List<CloseWaitHolder> closeWaitHolders,
    @JsonPropertyDescription("Why this pod is listed: Leak, Pressure, Error, Drift or Top.")
        Listed listed,
    @JsonPropertyDescription(
            "What the pod rules did in this pod's namespace; absent when none apply.")
        PodTuningEntry tuning,
    @JsonPropertyDescription(
            "How many processes hold CLOSE_WAIT sockets in the pod, when a leak is suspected (all"
                + " of them, listed or not).")
        Long closeWaitHolderCount,
    @JsonPropertyDescription(
            "Values of the pod rules someone else changed in the pod's namespace and the agent"
                + " wrote back; absent when none were.")
        PodDriftEntry drift,
    @JsonPropertyDescription(
            "Whether the pod's network namespace has its own TCP established hash table (created"
                + " after the node's childEhashEntries was set) instead of sharing the node's.")
        Boolean ownEhash,
    @JsonPropertyDescription(
            "The size of the TCP established hash table the pod's namespace uses: its own, or the"
                + " node's shared one.")
        Long ehashBuckets) {

  /** Holders listed per pod. */
  public static final int MAX_HOLDERS = 5;

  /** A namespace name (DNS label). */
  public static final int MAX_NAMESPACE = 63;

  /** A Pod name (DNS subdomain). */
  public static final int MAX_NAME = 253;

  /** A pod UID as read from a cgroup path (a UUID has 36). */
  public static final int MAX_UID = 64;

  /** A container id (64 hex digits for containerd, CRI-O and Docker). */
  public static final int MAX_CONTAINER_ID = 64;

  /** Why a pod is listed, problems first. */
  public enum Listed {
    /** A CLOSE_WAIT leak is suspected. */
    Leak,
    /** Near its namespace's own limit, or overflowing. */
    Pressure,
    /** The pod rules failed in it. */
    Error,
    /** Someone else keeps changing values the pod rules set in it. */
    Drift,
    /** Among the pods with the most teardown sockets. */
    Top
  }

  /** An entry without drift. */
  public PodTeardownEntry(
      String namespace,
      String name,
      String uid,
      StateCounts states,
      KernelCounters counters,
      Long maxTwBuckets,
      Long ageSeconds,
      List<CloseWaitHolder> closeWaitHolders,
      Listed listed,
      PodTuningEntry tuning,
      Long closeWaitHolderCount) {
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
        tuning,
        closeWaitHolderCount,
        null);
  }

  /** An entry without its hash table. */
  public PodTeardownEntry(
      String namespace,
      String name,
      String uid,
      StateCounts states,
      KernelCounters counters,
      Long maxTwBuckets,
      Long ageSeconds,
      List<CloseWaitHolder> closeWaitHolders,
      Listed listed,
      PodTuningEntry tuning,
      Long closeWaitHolderCount,
      PodDriftEntry drift) {
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
        tuning,
        closeWaitHolderCount,
        drift,
        null,
        null);
  }

  /** An entry with pod rules, without a holder count. */
  public PodTeardownEntry(
      String namespace,
      String name,
      String uid,
      StateCounts states,
      KernelCounters counters,
      Long maxTwBuckets,
      Long ageSeconds,
      List<CloseWaitHolder> closeWaitHolders,
      Listed listed,
      PodTuningEntry tuning) {
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
        tuning,
        closeWaitHolders == null ? null : (long) closeWaitHolders.size());
  }

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
      Listed listed) {
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
        (PodTuningEntry) null);
  }

  /** This entry with other pod rules' results and drift. */
  public PodTeardownEntry withTuning(
      Listed listedNow, PodTuningEntry tuningNow, PodDriftEntry driftNow) {
    return new PodTeardownEntry(
        namespace,
        name,
        uid,
        states,
        counters,
        maxTwBuckets,
        ageSeconds,
        closeWaitHolders,
        listedNow,
        tuningNow,
        closeWaitHolderCount,
        driftNow,
        ownEhash,
        ehashBuckets);
  }

  /** A process that holds CLOSE_WAIT sockets: the peer closed, it has not called close(). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CloseWaitHolder(
      @JsonPropertyDescription("Process id on the node.") Integer pid,
      @JsonPropertyDescription(
              "Command name (/proc/PID/comm), printable ASCII: any other byte is shown as \\xNN.")
          @Size(max = SafeText.MAX_COMMAND)
          String command,
      @JsonPropertyDescription("Container id, from the process's cgroup path.")
          @Size(max = MAX_CONTAINER_ID)
          String containerId,
      @JsonPropertyDescription("CLOSE_WAIT sockets it holds.") Long sockets) {}
}
