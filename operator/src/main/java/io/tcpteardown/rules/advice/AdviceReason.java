package io.tcpteardown.rules.advice;

/** Why a value is advised: one per rule, the wire value of {@code status.advice[].reason}. */
public enum AdviceReason {
  /** One destination holds half the local port range or more in TIME_WAIT. */
  PortsTowardOneDestination,
  /** The TIME_WAIT table is at 90% of tcp_max_tw_buckets, or overflowed. */
  TimeWaitTableFull,
  /** Orphans retransmit FINs or probe zero windows toward peers that do not answer. */
  UnansweredFins,
  /** Many orphans wait in FIN_WAIT2 for a FIN that does not come. */
  OrphansInFinWait2,
  /** A current value breaks a safety rule (set outside this product). */
  UnsafeCurrentValue,
  /**
   * Pod sweeps cost more than half what the CPU budget affords because pods share the node's TCP
   * hash table: set childEhashEntries (the node's field).
   */
  SharedHashTableCostly
}
