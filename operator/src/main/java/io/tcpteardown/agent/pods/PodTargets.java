package io.tcpteardown.agent.pods;

import io.tcpteardown.rules.PodResolution.PodDecision;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pairs each pod's decision with its network namespace as scanned. A pod with recorded originals is
 * a target even when no rule selects it any more (its fields are restored). A pod that should get
 * values but whose namespace was not found yet (the Pod object arrives before its sandbox) is
 * waiting: the tuner looks again soon.
 *
 * @param targets what to tune now
 * @param waiting UIDs of pods with fields to write whose namespace is not there yet
 */
public record PodTargets(List<PodTuner.Target> targets, Set<String> waiting) {
  public PodTargets {
    targets = List.copyOf(targets);
    waiting = Set.copyOf(waiting);
  }

  public static PodTargets plan(
      Collection<PodDecision> decisions,
      Collection<NetworkNamespaceRef> namespaces,
      Set<String> recorded) {
    Map<String, NetworkNamespaceRef> byUid = new HashMap<>();
    for (NetworkNamespaceRef namespace : namespaces) {
      // The pod's own namespace, as the sweeps count it (NamespaceScanner.onePerPod).
      namespace
          .pod()
          .ifPresent(
              pod ->
                  byUid.merge(
                      pod.podUid(), namespace, (a, b) -> a.firstPid() <= b.firstPid() ? a : b));
    }
    List<PodTuner.Target> targets = new ArrayList<>();
    Set<String> waiting = new TreeSet<>();
    for (PodDecision decision : decisions) {
      String uid = decision.pod().uid();
      boolean wanted = !decision.apply().isEmpty() || !decision.reportOnly().isEmpty();
      if (!wanted && !recorded.contains(uid)) {
        continue;
      }
      NetworkNamespaceRef namespace = byUid.get(uid);
      if (namespace == null) {
        if (!decision.apply().isEmpty()) {
          waiting.add(uid);
        }
        continue;
      }
      targets.add(new PodTuner.Target(uid, namespace, decision.apply(), decision.reportOnly()));
    }
    return new PodTargets(targets, waiting);
  }
}
