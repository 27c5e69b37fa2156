package io.tcpteardown.api;

/**
 * The allowed range of each numeric setting: used by the CRD schema (through annotations) and by
 * {@code io.tcpteardown.rules.SafetyRules}, which checks them again because the kernel bounds few
 * of them.
 */
public final class SettingRanges {
  public static final int PRIORITY_MIN = 0;
  public static final int PRIORITY_MAX = 1000;
  public static final int ORPHAN_RETRIES_MIN = 0;
  public static final int ORPHAN_RETRIES_MAX = 15;
  public static final int FIN_TIMEOUT_MIN = 5;
  public static final int FIN_TIMEOUT_MAX = 120;
  public static final int MAX_ORPHANS_MIN = 1024;
  public static final int MAX_ORPHANS_MAX = 4194304;
  public static final int MAX_TW_BUCKETS_MIN = 4096;
  public static final int MAX_TW_BUCKETS_MAX = 16777216;

  private SettingRanges() {}
}
