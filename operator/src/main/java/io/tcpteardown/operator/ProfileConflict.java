package io.tcpteardown.operator;

/**
 * One clash that puts a profile's Conflict condition True: over a node field, or among pod rules.
 */
sealed interface ProfileConflict {
  /** The sentence the Conflict condition's message gives it. */
  String message();

  /**
   * The profile and an {@code other} of equal priority set {@code field} differently on {@code
   * nodes} nodes; {@code winner} is the one whose name sorts first.
   */
  record FieldClash(String other, String field, String winner, int nodes)
      implements ProfileConflict {
    FieldClash onOneMoreNode() {
      return new FieldClash(other, field, winner, nodes + 1);
    }

    @Override
    public String message() {
      return "Profile "
          + other
          + " has the same priority and sets "
          + field
          + " differently on "
          + nodes
          + (nodes == 1 ? " node" : " nodes")
          + "; "
          + winner
          + " wins because its name sorts first. "
          + "Give one profile a higher priority or make the values agree.";
    }
  }

  /** A conflict among pod rules, as one node's agent reported it. */
  record PodRuleClash(String message) implements ProfileConflict {}
}
