package io.tcpteardown.rules;

import java.math.BigInteger;

/**
 * When a teardown count is near its kernel limit: at or above {@value #PERCENT}% of it. The agent
 * judges the node's and each pod's namespace with it, and the operator judges the agents' reports
 * with it, so both say "pressure" at the same count.
 */
public final class PressureRule {
  /** The share of a limit at which a count is pressure. */
  public static final int PERCENT = 90;

  private PressureRule() {}

  /**
   * Whether {@code count} is at or above {@value #PERCENT}% of a positive {@code limit}, exact for
   * any two longs (a status is written by agents, so any integer the API server admits can be
   * there); no limit, or one of 0 or less, is never reached.
   */
  public static boolean reached(long count, long limit) {
    return limit > 0
        && BigInteger.valueOf(count)
                .multiply(BigInteger.valueOf(100))
                .compareTo(BigInteger.valueOf(limit).multiply(BigInteger.valueOf(PERCENT)))
            >= 0;
  }
}
