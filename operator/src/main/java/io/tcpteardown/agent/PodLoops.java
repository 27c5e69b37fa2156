package io.tcpteardown.agent;

import io.tcpteardown.agent.pods.PodObserver;
import io.tcpteardown.agent.pods.PodTuningLoop;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the node loop knows of the pod loops: their latest results, which go into its next report
 * (never into a write of their own), and whom to tell of a new spec (the pod rules may have
 * changed).
 *
 * @param sweeps the latest pod sweep, if pods are swept
 * @param tuning the latest pod tuning pass, if pods are tuned
 * @param specChanged called on every new spec
 */
public record PodLoops(
    Supplier<Optional<PodObserver.Result>> sweeps,
    Supplier<Optional<PodTuningLoop.Result>> tuning,
    Runnable specChanged) {

  /** No pod machinery: the node alone. */
  public static final PodLoops NONE = new PodLoops(Optional::empty, Optional::empty, () -> {});
}
