package io.tcpteardown.api;

import java.util.EnumMap;
import java.util.Map;

/**
 * The teardown settings as one value, whichever object carries them (a profile, a node's resolved
 * spec). A null field means "leave the node's value alone".
 */
public record TeardownSettings(
    Integer orphanRetries,
    Integer finTimeoutSeconds,
    Integer maxOrphans,
    Integer maxTwBuckets,
    TwReuse twReuse,
    Timestamps timestamps,
    Integer childEhashEntries) {

  public static final TeardownSettings NONE =
      new TeardownSettings(null, null, null, null, null, null, null);

  /** The settings without childEhashEntries. */
  public TeardownSettings(
      Integer orphanRetries,
      Integer finTimeoutSeconds,
      Integer maxOrphans,
      Integer maxTwBuckets,
      TwReuse twReuse,
      Timestamps timestamps) {
    this(orphanRetries, finTimeoutSeconds, maxOrphans, maxTwBuckets, twReuse, timestamps, null);
  }

  /** The sysctl value each set field asks for, in allowlist order. */
  public Map<ManagedSysctl, Long> sysctlValues() {
    Map<ManagedSysctl, Long> values = new EnumMap<>(ManagedSysctl.class);
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      Long value = sysctlValue(sysctl);
      if (value != null) {
        values.put(sysctl, value);
      }
    }
    return values;
  }

  public Long sysctlValue(ManagedSysctl sysctl) {
    return switch (sysctl) {
      case ORPHAN_RETRIES -> toLong(orphanRetries);
      case FIN_TIMEOUT -> toLong(finTimeoutSeconds);
      case MAX_ORPHANS -> toLong(maxOrphans);
      case MAX_TW_BUCKETS -> toLong(maxTwBuckets);
      case TW_REUSE -> twReuse == null ? null : (long) twReuse.sysctlValue();
      case TIMESTAMPS -> timestamps == null ? null : (long) timestamps.sysctlValue();
      case CHILD_EHASH_ENTRIES -> toLong(childEhashEntries);
    };
  }

  /** The field's value as the user writes it in YAML (enum name or number), or null. */
  public Object fieldValue(ManagedSysctl sysctl) {
    return switch (sysctl) {
      case ORPHAN_RETRIES -> orphanRetries;
      case FIN_TIMEOUT -> finTimeoutSeconds;
      case MAX_ORPHANS -> maxOrphans;
      case MAX_TW_BUCKETS -> maxTwBuckets;
      case TW_REUSE -> twReuse;
      case TIMESTAMPS -> timestamps;
      case CHILD_EHASH_ENTRIES -> childEhashEntries;
    };
  }

  /**
   * A copy with one field replaced by the given profile-field value (an Integer or the field's
   * enum).
   */
  public TeardownSettings with(ManagedSysctl sysctl, Object value) {
    return new TeardownSettings(
        sysctl == ManagedSysctl.ORPHAN_RETRIES ? (Integer) value : orphanRetries,
        sysctl == ManagedSysctl.FIN_TIMEOUT ? (Integer) value : finTimeoutSeconds,
        sysctl == ManagedSysctl.MAX_ORPHANS ? (Integer) value : maxOrphans,
        sysctl == ManagedSysctl.MAX_TW_BUCKETS ? (Integer) value : maxTwBuckets,
        sysctl == ManagedSysctl.TW_REUSE ? (TwReuse) value : twReuse,
        sysctl == ManagedSysctl.TIMESTAMPS ? (Timestamps) value : timestamps,
        sysctl == ManagedSysctl.CHILD_EHASH_ENTRIES ? (Integer) value : childEhashEntries);
  }

  public boolean isEmpty() {
    return sysctlValues().isEmpty();
  }

  private static Long toLong(Integer value) {
    return value == null ? null : value.longValue();
  }
}
