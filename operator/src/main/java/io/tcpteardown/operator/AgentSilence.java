package io.tcpteardown.operator;

import java.time.Instant;

/** Whether a node's agent has gone silent (no report for two report intervals and a minute). */
@FunctionalInterface
public interface AgentSilence {
  /** Every agent counts as reporting: for the full recomputation of tests, which has no clock. */
  AgentSilence NONE = (node, now) -> false;

  boolean silent(String node, Instant now);
}
