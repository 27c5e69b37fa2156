package io.tcpteardown.operator;

import io.tcpteardown.api.ProfileNodeEntry;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.rules.NodeResolution;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The contributions of the nodes a profile selects, in node order, folded into what its status
 * reports of them.
 *
 * @param tally the counts the conditions' status and reason are decided from
 * @param entries the first {@value #MAX_NODE_ENTRIES} nodes' entries
 * @param notApplied the nodes that do not report the profile's values applied
 * @param pressure one sentence per node under teardown pressure
 * @param heldBack "node: why" per node where a setting of the profile is held back
 * @param fieldClashes the profile's equal-priority clashes, one per other profile and field
 * @param podParts the nodes' parts of the profile's pod rules (empty without pod rules)
 * @param silent the nodes whose agents went silent
 * @param errored "node (error)" per node whose agent reports an error
 */
record SelectedNodes(
    ProfileTally tally,
    StateCounts totals,
    List<ProfileNodeEntry> entries,
    List<String> notApplied,
    List<String> pressure,
    List<String> heldBack,
    List<ProfileConflict.FieldClash> fieldClashes,
    List<ProfilePodStatus.Part> podParts,
    List<String> silent,
    List<String> errored) {

  /** Node entries a profile's status lists at most; the counts cover every node. */
  static final int MAX_NODE_ENTRIES = 100;

  int count() {
    return tally.selected();
  }

  int applied() {
    return tally.applied();
  }

  /**
   * @param profile the name of the profile the nodes contribute to
   * @param selected the contributions of the nodes it selects, sorted by node name
   */
  static SelectedNodes of(
      String profile, Collection<NodeContribution> selected, AgentSilence silence, Instant now) {
    ProfileTally tally = ProfileTally.NONE;
    StateCounts totals = StateCounts.ZERO;
    List<ProfileNodeEntry> entries = new ArrayList<>();
    List<String> notApplied = new ArrayList<>();
    List<String> pressure = new ArrayList<>();
    List<String> heldBack = new ArrayList<>();
    // Keyed "other/field": the order the Conflict message lists them in.
    Map<String, ProfileConflict.FieldClash> clashes = new TreeMap<>();
    List<ProfilePodStatus.Part> podParts = new ArrayList<>();
    List<String> silent = new ArrayList<>();
    List<String> errored = new ArrayList<>();
    for (NodeContribution node : selected) {
      if (silence.silent(node.node(), now)) {
        silent.add(node.node());
      }
      if (node.error() != null) {
        errored.add(node.node() + " (" + node.error() + ")");
      }
      tally = tally.plus(node);
      totals = saturatingSum(totals, node.states());
      if (node.heldBack() != null) {
        heldBack.add(node.node() + ": " + node.heldBack());
      }
      for (NodeResolution.FieldConflict conflict : node.conflicts()) {
        String other = conflict.winner().equals(profile) ? conflict.loser() : conflict.winner();
        clashes.merge(
            other + "/" + conflict.field(),
            new ProfileConflict.FieldClash(other, conflict.field(), conflict.winner(), 1),
            (known, next) -> known.onOneMoreNode());
      }
      if (node.pressure() != null) {
        pressure.add(node.pressure());
      }
      if (node.pods() != null) {
        podParts.add(node.pods());
      }
      if (!node.applied()) {
        notApplied.add(node.node());
      }
      if (entries.size() < MAX_NODE_ENTRIES) {
        entries.add(entry(node));
      }
    }
    return new SelectedNodes(
        tally,
        totals,
        entries,
        notApplied,
        pressure,
        heldBack,
        List.copyOf(clashes.values()),
        podParts,
        silent,
        errored);
  }

  private static ProfileNodeEntry entry(NodeContribution node) {
    StateCounts states = node.states();
    return new ProfileNodeEntry(
        node.node(),
        node.applied(),
        states.finWait1(),
        states.finWait2(),
        states.timeWait(),
        states.closeWait(),
        states.lastAck(),
        states.closing(),
        states.orphans(),
        node.heldBack());
  }

  /** The sum of two non-negative counts, stopping at the largest long instead of wrapping. */
  static StateCounts saturatingSum(StateCounts a, StateCounts b) {
    return new StateCounts(
        add(a.finWait1(), b.finWait1()),
        add(a.finWait2(), b.finWait2()),
        add(a.timeWait(), b.timeWait()),
        add(a.closeWait(), b.closeWait()),
        add(a.lastAck(), b.lastAck()),
        add(a.closing(), b.closing()),
        add(a.orphans(), b.orphans()));
  }

  private static long add(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }
}
