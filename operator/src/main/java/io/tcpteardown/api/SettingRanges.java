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

  /** 0 gives new namespaces the shared table back; the kernel refuses more than 16 Mi. */
  public static final int CHILD_EHASH_ENTRIES_MIN = 0;

  public static final int CHILD_EHASH_ENTRIES_MAX = 16777216;

  /**
   * The smallest own table allowed (0 aside): a new namespace's tcp_max_tw_buckets defaults to half
   * its table, and 8192 is the smallest table whose half is {@link #MAX_TW_BUCKETS_MIN}, the lowest
   * TIME_WAIT limit a profile may set. Its tcp_max_syn_backlog is then the kernel's floor of 128
   * (it is entries / 128 only from 16384 on), as every table below 16384 gives.
   */
  public static final int CHILD_EHASH_ENTRIES_FLOOR = 2 * MAX_TW_BUCKETS_MIN;

  private SettingRanges() {}
}
