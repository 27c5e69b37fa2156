package io.tcpteardown.rules;

import static io.tcpteardown.api.SettingRanges.*;

import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.SelectorOperator;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The safety rules, in one place, used by the operator, the command line and the node agent. A
 * profile with any violation is applied nowhere; the agent refuses to write values that break them.
 */
public final class SafetyRules {
  /** Memory an orphaned socket can pin, unswappable. */
  public static final long ORPHAN_MEMORY_BYTES = 64 * 1024;

  /** maxOrphans x 64 KiB may use at most this share of a node's memory capacity. */
  public static final int ORPHAN_MEMORY_PERCENT = 25;

  /** Bytes of one bucket of a TCP established hash table (a pointer-sized list head). */
  public static final long EHASH_BUCKET_BYTES = 8;

  /** The own tables of a node's maximum pods may use at most this share of its memory. */
  public static final int EHASH_MEMORY_PERCENT = 5;

  public static final String RULE_TW_RECYCLE = "TwRecycleRemoved";
  public static final String RULE_REUSE_TIMESTAMPS = "ReuseNeedsTimestamps";
  public static final String RULE_RANGE = "OutOfRange";
  public static final String RULE_ORPHAN_MEMORY = "OrphanMemory";
  public static final String RULE_SELECTOR = "InvalidSelector";

  /** The Java twin of {@code ProfileCelRules.CHILD_EHASH_FLOOR}. */
  public static final String RULE_CHILD_EHASH_FLOOR = "ChildEhashFloor";

  /** The Java twin of {@code ProfileCelRules.CHILD_EHASH_TWICE_TW}. */
  public static final String RULE_CHILD_EHASH_TW = "ChildEhashBelowTwiceTw";

  /**
   * The node-aware rule on childEhashEntries as a violation: what the operator holds back on such a
   * node, the agent refuses from a spec that asks for it anyway.
   */
  public static final String RULE_CHILD_EHASH_MEMORY = "ChildEhashMemory";

  /** The Java twin of the CEL rule {@code ProfileCelRules.SELECTOR_VALUES}. */
  public static final String RULE_SELECTOR_VALUES = "SelectorValues";

  /**
   * The Java twin of the CEL rules {@code ProfileCelRules.LABEL_LENGTHS} and {@code VALUE_LENGTHS}:
   * label keys of at most 317 characters, values of at most 63.
   */
  public static final String RULE_LABEL_LENGTH = "LabelLength";

  private static final int MAX_LABEL_KEY = NodeSelectorRequirement.MAX_KEY_LENGTH;
  private static final int MAX_LABEL_VALUE = NodeSelectorRequirement.MAX_VALUE_LENGTH;

  private SafetyRules() {}

  /** Every violation in a profile's spec, in field order; empty when the profile may be applied. */
  public static List<Violation> validate(TcpTeardownProfileSpec spec) {
    List<Violation> violations = new ArrayList<>();
    if (spec == null) {
      return violations;
    }
    if (Boolean.TRUE.equals(spec.twRecycle())) {
      violations.add(
          new Violation(
              "spec.twRecycle",
              "true",
              RULE_TW_RECYCLE,
              "spec.twRecycle: true is rejected: net.ipv4.tcp_tw_recycle was removed in Linux 4.12 because it "
                  + "dropped connections from clients behind NAT (it compared TCP timestamps per peer address). "
                  + "Remove twRecycle; to reuse TIME_WAIT ports for outgoing connections set twReuse: Enabled "
                  + "with timestamps: Enabled."));
    }
    range(
        violations,
        "spec.priority",
        spec.priority(),
        PRIORITY_MIN,
        PRIORITY_MAX,
        "it orders profiles that set the same field on one node");
    violations.addAll(validateSelector(spec.nodeSelector()));
    if (spec.pods() != null) {
      violations.addAll(
          validateSelector(spec.pods().namespaceSelector(), "spec.pods.namespaceSelector"));
      violations.addAll(validateSelector(spec.pods().podSelector(), "spec.pods.podSelector"));
    }
    violations.addAll(validateSettings(spec.settings(), "spec."));
    if (spec.pods() != null) {
      childEhashTwViolation(spec.childEhashEntries(), spec.maxTwBuckets())
          .ifPresent(violations::add);
    }
    return violations;
  }

  /** The table rounded up to a power of two, as the kernel allocates it (0 stays 0). */
  public static long ehashBuckets(int childEhashEntries) {
    return childEhashEntries <= 1
        ? childEhashEntries
        : Long.highestOneBit(childEhashEntries - 1L) << 1;
  }

  /**
   * With spec.pods: the pods' own table (as written: the kernel only rounds it up) at least twice
   * the maxTwBuckets set for those pods.
   */
  static Optional<Violation> childEhashTwViolation(
      Integer childEhashEntries, Integer maxTwBuckets) {
    if (childEhashEntries == null
        || childEhashEntries == 0
        || maxTwBuckets == null
        || childEhashEntries >= 2L * maxTwBuckets) {
      return Optional.empty();
    }
    return Optional.of(
        new Violation(
            "spec.childEhashEntries",
            String.valueOf(childEhashEntries),
            RULE_CHILD_EHASH_TW,
            "spec.childEhashEntries: "
                + childEhashEntries
                + " is less than twice spec.maxTwBuckets ("
                + maxTwBuckets
                + ") while spec.pods is set: the pods created afterwards get their own table of"
                + " that size and would hold more TIME_WAIT sockets than half its buckets. Set"
                + " childEhashEntries to at least "
                + 2L * maxTwBuckets
                + ", or lower maxTwBuckets."));
  }

  /**
   * Rule on childEhashEntries, node-aware: the reason to hold it back on a node where the own
   * tables of its maximum number of pods would take more than {@link #EHASH_MEMORY_PERCENT}% of its
   * memory, or empty when they fit (or when the node's memory or pod capacity is unknown).
   */
  public static Optional<String> childEhashMemoryHoldBack(
      Integer childEhashEntries, Long nodeMemoryBytes, Long maxPods) {
    if (childEhashEntries == null
        || childEhashEntries == 0
        || nodeMemoryBytes == null
        || nodeMemoryBytes <= 0
        || maxPods == null
        || maxPods <= 0) {
      return Optional.empty();
    }
    long perPod = ehashBuckets(childEhashEntries) * EHASH_BUCKET_BYTES;
    long tables = perPod * maxPods;
    if (tables * 100 <= nodeMemoryBytes * EHASH_MEMORY_PERCENT) {
      return Optional.empty();
    }
    long fittingBuckets =
        nodeMemoryBytes * EHASH_MEMORY_PERCENT / 100 / maxPods / EHASH_BUCKET_BYTES;
    return Optional.of(
        "childEhashEntries: "
            + childEhashEntries
            + " is held back: a table of "
            + ehashBuckets(childEhashEntries)
            + " buckets x 8 bytes = "
            + kibibytes(perPod)
            + " KiB per pod, for up to "
            + maxPods
            + " pods = "
            + mebibytes(tables)
            + " MiB, exceeds "
            + EHASH_MEMORY_PERCENT
            + "% of the node's memory ("
            + mebibytes(nodeMemoryBytes * EHASH_MEMORY_PERCENT / 100)
            + " of "
            + mebibytes(nodeMemoryBytes)
            + " MiB). Use at most "
            + Long.highestOneBit(Math.max(1, fittingBuckets))
            + " for this node, or exclude it from the profile's nodeSelector.");
  }

  /**
   * Rule on childEhashEntries against pod rules from any profile on the node: the reason to hold it
   * back when a pod rule sets a maxTwBuckets above half of it, or empty.
   */
  public static Optional<String> childEhashTwHoldBack(
      Integer childEhashEntries, String podProfile, Integer podMaxTwBuckets) {
    if (childEhashEntries == null
        || childEhashEntries == 0
        || podMaxTwBuckets == null
        || childEhashEntries >= 2L * podMaxTwBuckets) {
      return Optional.empty();
    }
    return Optional.of(
        "childEhashEntries: "
            + childEhashEntries
            + " is held back: profile "
            + podProfile
            + " sets maxTwBuckets "
            + podMaxTwBuckets
            + " for pods on this node, and their own table must be at least twice that. Use at"
            + " least "
            + 2L * podMaxTwBuckets
            + ", or lower that profile's maxTwBuckets.");
  }

  /**
   * The rules that hold for any set of settings, wherever they come from (a profile, a
   * TcpTeardownNode's spec that the agent is about to write): ranges, and reuse only with
   * timestamps.
   */
  public static List<Violation> validateSettings(TeardownSettings settings, String fieldPrefix) {
    List<Violation> violations = new ArrayList<>();
    range(
        violations,
        fieldPrefix + "orphanRetries",
        settings.orphanRetries(),
        ORPHAN_RETRIES_MIN,
        ORPHAN_RETRIES_MAX,
        "it bounds FIN retransmits in FIN_WAIT1, LAST_ACK and CLOSING (0 means 8)");
    range(
        violations,
        fieldPrefix + "finTimeoutSeconds",
        settings.finTimeoutSeconds(),
        FIN_TIMEOUT_MIN,
        FIN_TIMEOUT_MAX,
        "it bounds how long an orphan waits in FIN_WAIT2, and the kernel accepts almost any value");
    range(
        violations,
        fieldPrefix + "maxOrphans",
        settings.maxOrphans(),
        MAX_ORPHANS_MIN,
        MAX_ORPHANS_MAX,
        "above it new orphans are reset, and each orphan can pin 64 KiB of memory");
    range(
        violations,
        fieldPrefix + "maxTwBuckets",
        settings.maxTwBuckets(),
        MAX_TW_BUCKETS_MIN,
        MAX_TW_BUCKETS_MAX,
        "above it closing sockets skip TIME_WAIT, which risks stray segments on new connections");
    range(
        violations,
        fieldPrefix + "childEhashEntries",
        settings.childEhashEntries(),
        CHILD_EHASH_ENTRIES_MIN,
        CHILD_EHASH_ENTRIES_MAX,
        "it sizes the TCP hash table of every pod namespace created afterwards, and the kernel"
            + " refuses more");
    Integer entries = settings.childEhashEntries();
    if (entries != null && entries > 0 && entries < CHILD_EHASH_ENTRIES_FLOOR) {
      violations.add(
          new Violation(
              fieldPrefix + "childEhashEntries",
              String.valueOf(entries),
              RULE_CHILD_EHASH_FLOOR,
              fieldPrefix
                  + "childEhashEntries: "
                  + entries
                  + " is below "
                  + CHILD_EHASH_ENTRIES_FLOOR
                  + ": a pod created afterwards would get half its table, "
                  + ehashBuckets(entries) / 2
                  + ", as its TIME_WAIT limit (tcp_max_tw_buckets), less than "
                  + MAX_TW_BUCKETS_MIN
                  + ", the lowest maxTwBuckets a profile may set. Use 0 (the shared table) or at"
                  + " least "
                  + CHILD_EHASH_ENTRIES_FLOOR
                  + "."));
    }
    if (settings.twReuse() != null
        && settings.twReuse().reuses()
        && settings.timestamps() == Timestamps.Disabled) {
      violations.add(
          new Violation(
              fieldPrefix + "twReuse",
              settings.twReuse().name(),
              RULE_REUSE_TIMESTAMPS,
              fieldPrefix
                  + "twReuse: "
                  + settings.twReuse()
                  + " together with "
                  + fieldPrefix
                  + "timestamps: Disabled is rejected: TIME_WAIT reuse only happens, and is only safe, with TCP "
                  + "timestamps on at both ends. Set timestamps: Enabled (or remove it to keep the node's value), "
                  + "or set twReuse: "
                  + TwReuse.Disabled
                  + "."));
    }
    return violations;
  }

  /**
   * The rules of {@link #validateSettings(TeardownSettings, String)} and the node-aware memory rule
   * (rule 4, {@link #RULE_ORPHAN_MEMORY}): what the agent checks before it writes anything. The
   * operator holds back a maxOrphans its node cannot afford; a spec that still asks for one was not
   * made by the operator, and none of it is written.
   *
   * @param nodeMemoryBytes the node's memory, or null when unknown (the memory rule is then not
   *     checked, as the operator does not check it for a node without capacity.memory)
   */
  public static List<Violation> validateSettings(
      TeardownSettings settings, String fieldPrefix, Long nodeMemoryBytes) {
    List<Violation> violations = validateSettings(settings, fieldPrefix);
    orphanMemoryViolation(settings.maxOrphans(), nodeMemoryBytes, fieldPrefix + "maxOrphans")
        .ifPresent(violations::add);
    return violations;
  }

  /**
   * Every rule of {@link #validateSettings(TeardownSettings, String, Long)}, and the node-aware
   * rule on childEhashEntries where the node's maximum pods is known.
   */
  public static List<Violation> validateSettings(
      TeardownSettings settings, String fieldPrefix, Long nodeMemoryBytes, Long maxPods) {
    List<Violation> violations = validateSettings(settings, fieldPrefix, nodeMemoryBytes);
    childEhashMemoryHoldBack(settings.childEhashEntries(), nodeMemoryBytes, maxPods)
        .ifPresent(
            reason ->
                violations.add(
                    new Violation(
                        fieldPrefix + "childEhashEntries",
                        String.valueOf(settings.childEhashEntries()),
                        RULE_CHILD_EHASH_MEMORY,
                        fieldPrefix
                            + "childEhashEntries: "
                            + settings.childEhashEntries()
                            + " breaks rule "
                            + RULE_CHILD_EHASH_MEMORY
                            + ": "
                            + reason)));
    return violations;
  }

  /** Rule 4 as a violation: {@code field} asks for more orphans than the node's memory affords. */
  public static Optional<Violation> orphanMemoryViolation(
      Integer maxOrphans, Long nodeMemoryBytes, String field) {
    if (maxOrphans == null
        || nodeMemoryBytes == null
        || nodeMemoryBytes <= 0
        || orphanMemoryHoldBack(maxOrphans, nodeMemoryBytes).isEmpty()) {
      return Optional.empty();
    }
    long pinned = maxOrphans * ORPHAN_MEMORY_BYTES;
    long allowed = nodeMemoryBytes * ORPHAN_MEMORY_PERCENT / 100;
    return Optional.of(
        new Violation(
            field,
            String.valueOf(maxOrphans),
            RULE_ORPHAN_MEMORY,
            field
                + ": "
                + maxOrphans
                + " breaks the safety rule "
                + RULE_ORPHAN_MEMORY
                + ": "
                + maxOrphans
                + " orphans x 64 KiB = "
                + mebibytes(pinned)
                + " MiB exceeds "
                + ORPHAN_MEMORY_PERCENT
                + "% of this node's memory ("
                + mebibytes(allowed)
                + " of "
                + mebibytes(nodeMemoryBytes)
                + " MiB); orphans pin unswappable memory. The operator holds such a value back, so"
                + " this spec was not written by it; nothing of it was written. Use at most "
                + Math.max(0, allowed / ORPHAN_MEMORY_BYTES)
                + " for this node."));
  }

  /**
   * What the schema of spec.nodeSelector cannot say, and what an API server with an older schema
   * may have stored: each requirement needs a key and one of the four operators, In and NotIn need
   * values, Exists and DoesNotExist take none (the CEL rule {@code ProfileCelRules.SELECTOR_VALUES}
   * says the same); no null label value, requirement or value.
   */
  static List<Violation> validateSelector(NodeSelector selector) {
    return validateSelector(selector, "spec.nodeSelector");
  }

  static List<Violation> validateSelector(NodeSelector selector, String prefix) {
    List<Violation> violations = new ArrayList<>();
    if (selector == null) {
      return violations;
    }
    if (selector.matchLabels() != null) {
      for (var label : new java.util.TreeMap<>(nullSafe(selector.matchLabels())).entrySet()) {
        if (label.getKey().length() > MAX_LABEL_KEY
            || (label.getValue() != null && label.getValue().length() > MAX_LABEL_VALUE)) {
          String field = prefix + ".matchLabels." + abbreviate(label.getKey());
          violations.add(
              new Violation(
                  field,
                  abbreviate(String.valueOf(label.getValue())),
                  RULE_LABEL_LENGTH,
                  field
                      + ": a label key may have at most "
                      + MAX_LABEL_KEY
                      + " characters (this one has "
                      + label.getKey().length()
                      + ") and a value at most "
                      + MAX_LABEL_VALUE
                      + " (this one has "
                      + String.valueOf(label.getValue()).length()
                      + "), as for any Kubernetes label. Shorten them."));
        }
        if (label.getValue() == null) {
          String field = prefix + ".matchLabels." + label.getKey();
          violations.add(
              new Violation(
                  field,
                  "null",
                  RULE_SELECTOR,
                  field
                      + ": null is not a label value. Give the label's value as a string (\"\" for"
                      + " an empty value), or use matchExpressions with operator Exists."));
        }
      }
    }
    List<NodeSelectorRequirement> expressions = selector.matchExpressions();
    if (expressions == null) {
      return violations;
    }
    for (int i = 0; i < expressions.size(); i++) {
      NodeSelectorRequirement requirement = expressions.get(i);
      String field = prefix + ".matchExpressions[" + i + "]";
      if (requirement == null) {
        violations.add(
            new Violation(
                field,
                "null",
                RULE_SELECTOR,
                field
                    + ": null is not a requirement. Give key and operator (and values for In and"
                    + " NotIn), or remove the item."));
        continue;
      }
      if (requirement.key() == null || requirement.key().isBlank()) {
        violations.add(
            new Violation(
                field + ".key",
                String.valueOf(requirement.key()),
                RULE_SELECTOR,
                field
                    + ".key: "
                    + (requirement.key() == null ? "missing" : "\"" + requirement.key() + "\"")
                    + ": a requirement must name a label key. Set key to the label to"
                    + " match."));
      }
      SelectorOperator operator = SelectorOperator.parse(requirement.operator());
      List<String> values = requirement.values() == null ? List.of() : requirement.values();
      if (operator == null) {
        violations.add(
            new Violation(
                field + ".operator",
                String.valueOf(requirement.operator()),
                RULE_SELECTOR,
                field
                    + ".operator: "
                    + (requirement.operator() == null
                        ? "missing"
                        : "\"" + requirement.operator() + "\" is not a label selector operator")
                    + ": it is required. Use one of "
                    + java.util.Arrays.stream(SelectorOperator.values())
                        .map(Enum::name)
                        .collect(java.util.stream.Collectors.joining(", "))
                    + "."));
      } else if (operator.needsValues() && values.isEmpty()) {
        violations.add(
            new Violation(
                field + ".values",
                "[]",
                RULE_SELECTOR_VALUES,
                field
                    + ".values is empty: "
                    + operator
                    + " needs at least one value. Add values, or use "
                    + (operator == SelectorOperator.In ? "Exists" : "DoesNotExist")
                    + "."));
      } else if (!operator.needsValues() && !values.isEmpty()) {
        violations.add(
            new Violation(
                field + ".values",
                String.valueOf(values),
                RULE_SELECTOR_VALUES,
                field
                    + ".values must be empty with "
                    + operator
                    + ". Remove values, or use "
                    + (operator == SelectorOperator.Exists ? "In" : "NotIn")
                    + "."));
      }
      for (int v = 0; v < values.size(); v++) {
        if (values.get(v) != null && values.get(v).length() > MAX_LABEL_VALUE) {
          violations.add(
              new Violation(
                  field + ".values[" + v + "]",
                  abbreviate(values.get(v)),
                  RULE_LABEL_LENGTH,
                  field
                      + ".values["
                      + v
                      + "]: a label value may have at most "
                      + MAX_LABEL_VALUE
                      + " characters, this one has "
                      + values.get(v).length()
                      + ". Shorten it."));
        }
        if (values.get(v) == null) {
          violations.add(
              new Violation(
                  field + ".values[" + v + "]",
                  "null",
                  RULE_SELECTOR,
                  field
                      + ".values["
                      + v
                      + "]: null is not a label value. Give a string, or remove the item."));
        }
      }
    }
    return violations;
  }

  private static <V> Map<String, V> nullSafe(Map<String, V> map) {
    Map<String, V> copy = new java.util.HashMap<>();
    map.forEach((k, v) -> copy.put(String.valueOf(k), v));
    return copy;
  }

  /**
   * Rule 4, node-aware: the reason to hold back maxOrphans on a node whose memory cannot afford it,
   * or empty when it fits (or when the node's memory capacity is unknown).
   */
  public static Optional<String> orphanMemoryHoldBack(Integer maxOrphans, Long nodeMemoryBytes) {
    if (maxOrphans == null || nodeMemoryBytes == null || nodeMemoryBytes <= 0) {
      return Optional.empty();
    }
    long pinned = maxOrphans * ORPHAN_MEMORY_BYTES;
    long allowed = nodeMemoryBytes * ORPHAN_MEMORY_PERCENT / 100;
    if (pinned * 100 <= nodeMemoryBytes * ORPHAN_MEMORY_PERCENT) {
      return Optional.empty();
    }
    long fitting = Math.max(0, allowed / ORPHAN_MEMORY_BYTES);
    return Optional.of(
        "maxOrphans: "
            + maxOrphans
            + " is held back: "
            + maxOrphans
            + " orphans x 64 KiB = "
            + mebibytes(pinned)
            + " MiB exceeds "
            + ORPHAN_MEMORY_PERCENT
            + "% of the node's memory ("
            + mebibytes(allowed)
            + " of "
            + mebibytes(nodeMemoryBytes)
            + " MiB); orphans pin unswappable memory. "
            + "Use at most "
            + fitting
            + " for this node, or exclude it from the profile's nodeSelector.");
  }

  private static void range(
      List<Violation> violations, String field, Integer value, int min, int max, String why) {
    if (value != null && (value < min || value > max)) {
      violations.add(
          new Violation(
              field,
              String.valueOf(value),
              RULE_RANGE,
              field
                  + ": "
                  + value
                  + " is out of range "
                  + min
                  + ".."
                  + max
                  + ": "
                  + why
                  + ". Set a value from "
                  + min
                  + " to "
                  + max
                  + ", or remove the field to keep the node's value."));
    }
  }

  /** A value cut to 80 characters for a message: the length is what the message is about. */
  private static String abbreviate(String value) {
    return value.length() <= 80 ? value : value.substring(0, 77) + "...";
  }

  private static long kibibytes(long bytes) {
    return bytes / 1024;
  }

  private static long mebibytes(long bytes) {
    return bytes / (1024 * 1024);
  }
}
