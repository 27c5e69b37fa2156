package io.tcpteardown.operator;

import io.tcpteardown.api.PodSummary;
import java.math.BigInteger;

/**
 * Counts over the nodes a profile selects: all that its conditions' status and reason (what is
 * written at once) are decided from, kept one node at a time by the index ({@link #plus}, {@link
 * #minus}). The pod sums are exact, so that taking a node out gives back what adding it took.
 *
 * @param inConflict nodes with an equal-priority clash of the profile, of fields or of pod rules
 * @param withoutPodFeature nodes whose agent does not understand pod rules (with pod rules only)
 * @param advised nodes whose advice is about a field the profile sets (status.adviceNodes)
 * @param heldBackBeyondMaxOrphans nodes where a field other than maxOrphans is held back
 */
record ProfileTally(
    int selected,
    int applied,
    int underPressure,
    int heldBack,
    int inConflict,
    int errored,
    int withoutPodFeature,
    BigInteger podsMatched,
    BigInteger podsApplied,
    BigInteger podsErrors,
    int advised,
    int heldBackBeyondMaxOrphans) {

  static final ProfileTally NONE =
      new ProfileTally(
          0, 0, 0, 0, 0, 0, 0, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, 0, 0);

  private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

  ProfileTally plus(NodeContribution node) {
    return add(node, 1);
  }

  ProfileTally minus(NodeContribution node) {
    return add(node, -1);
  }

  /** The pods' summed counts as the status reports them: sums stop at the largest long. */
  PodSummary podSummary() {
    long matched = saturated(podsMatched);
    return new PodSummary(
        matched,
        Math.min(saturated(podsApplied), matched),
        Math.min(saturated(podsErrors), matched));
  }

  private ProfileTally add(NodeContribution node, int sign) {
    if (node == null) {
      return this;
    }
    ProfilePodStatus.Part pods = node.pods();
    boolean understood = pods != null && !pods.withoutFeature();
    boolean conflict = !node.conflicts().isEmpty() || (understood && !pods.conflicts().isEmpty());
    return new ProfileTally(
        selected + sign,
        applied + (node.applied() ? sign : 0),
        underPressure + (node.pressure() != null ? sign : 0),
        heldBack + (node.heldBack() != null ? sign : 0),
        inConflict + (conflict ? sign : 0),
        errored + (node.error() != null ? sign : 0),
        withoutPodFeature + (pods != null && pods.withoutFeature() ? sign : 0),
        understood ? sum(podsMatched, pods.matched(), sign) : podsMatched,
        understood ? sum(podsApplied, pods.applied(), sign) : podsApplied,
        understood ? sum(podsErrors, pods.errors(), sign) : podsErrors,
        advised + (node.advised() ? sign : 0),
        heldBackBeyondMaxOrphans + (node.heldBackBeyondMaxOrphans() ? sign : 0));
  }

  private static BigInteger sum(BigInteger total, long value, int sign) {
    // A node's part is never negative; a negative one (none is) counts nothing, as in the status.
    return value <= 0 ? total : total.add(BigInteger.valueOf(sign * value));
  }

  private static long saturated(BigInteger sum) {
    return sum.min(MAX).longValueExact();
  }
}
