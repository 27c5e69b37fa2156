package io.tcpteardown.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/**
 * One piece of advice the agent gives from what a namespace does: which field to change, to what,
 * and why. Bounded: fixed fields, names as Kubernetes bounds them, a message of at most {@value
 * #MAX_MESSAGE} characters.
 */
@JsonClassDescription(
    "Advice from what the node's or a pod's network namespace does: set field from current to"
        + " suggested, because of reason; message carries the evidence with its numbers.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AdviceEntry(
    @JsonPropertyDescription(
            "Where: HostNetwork (the node's own namespace: a profile's top-level field) or Pod (a"
                + " pod's namespace: a field of spec.pods).")
        @Size(max = MAX_SCOPE)
        String scope,
    @JsonPropertyDescription("The pod's namespace, for scope Pod.") @Size(max = MAX_NAMESPACE)
        String namespace,
    @JsonPropertyDescription("The pod's name, for scope Pod.") @Size(max = MAX_NAME) String pod,
    @JsonPropertyDescription("The profile field to change (twReuse, maxTwBuckets, ...).")
        @Size(max = MAX_FIELD)
        String field,
    @JsonPropertyDescription("The value now, as a profile writes it.") @Size(max = MAX_VALUE)
        String current,
    @JsonPropertyDescription("The value advised, as a profile writes it.") @Size(max = MAX_VALUE)
        String suggested,
    @JsonPropertyDescription(
            "Why: PortsTowardOneDestination, TimeWaitTableFull, UnansweredFins, OrphansInFinWait2,"
                + " UnsafeCurrentValue or SharedHashTableCostly.")
        @Size(max = MAX_REASON)
        String reason,
    @JsonPropertyDescription("The evidence, with its numbers.") @Size(max = MAX_MESSAGE)
        String message,
    @JsonPropertyDescription("Since when the evidence has held (RFC 3339).") @Size(max = MAX_TIME)
        String since,
    @JsonPropertyDescription(
            "The profile that sets this field here now, when one does (its value is what is"
                + " advised against).")
        @Size(max = MAX_NAME)
        String profile) {

  public static final String SCOPE_HOST_NETWORK = NodeConditions.HOST_NETWORK;
  public static final String SCOPE_POD = "Pod";

  /** The Node annotation that, set to {@link #ANNOTATION_OFF}, turns the node's advice off. */
  public static final String ANNOTATION = "tcpteardown.io/advice";

  public static final String ANNOTATION_OFF = "off";

  /** Entries in a node's status.advice at most: the node's six fields and pods' after them. */
  public static final int MAX_ENTRIES = 32;

  public static final int MAX_SCOPE = 16;
  public static final int MAX_NAMESPACE = 63;
  public static final int MAX_NAME = 253;
  public static final int MAX_FIELD = 32;
  public static final int MAX_VALUE = 32;
  public static final int MAX_REASON = 32;
  public static final int MAX_MESSAGE = 512;
  public static final int MAX_TIME = 40;

  /** JSON bytes of status.advice at most: entries are shown in order while they fit. */
  public static final int MAX_BYTES = 32 * 1024;

  /**
   * This entry's JSON size at worst: two bytes per character (an escaped {@code "} or {@code \}),
   * plus the keys and punctuation of all ten fields.
   */
  public int worstJsonBytes() {
    int chars = 0;
    for (String text :
        new String[] {
          scope, namespace, pod, field, current, suggested, reason, message, since, profile
        }) {
      chars += text == null ? 0 : text.length();
    }
    return 2 * chars + 160;
  }
}
