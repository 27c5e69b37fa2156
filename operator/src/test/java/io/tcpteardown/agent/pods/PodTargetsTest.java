package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.PodFacts;
import io.tcpteardown.rules.PodResolution.PodDecision;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

@UnitTest
class PodTargetsTest {
  private static final TeardownSettings FIN_25 =
      new TeardownSettings(null, 25, null, null, null, null);

  /** A UID of the form the kubelet's cgroup paths carry, distinct per letter. */
  private static String uid(String letter) {
    return "0000000" + letter.charAt(0) + "-1111-2222-3333-44444444444" + letter.length();
  }

  private static PodDecision decision(
      String name, TeardownSettings apply, TeardownSettings report) {
    return new PodDecision(
        new PodFacts(uid(name), "ns", name, Map.of(), Map.of(), Set.of()),
        apply,
        report,
        Map.of(),
        Map.of());
  }

  private static NetworkNamespaceRef namespace(long inode, String name) {
    return new NetworkNamespaceRef(
        inode,
        List.of((int) inode),
        PodCgroup.parse("0::/kubepods/burstable/pod" + uid(name) + "/" + "c".repeat(64)));
  }

  @Test
  void podsWithFieldsOrRecordedOriginalsAreTargetsAndThoseWithoutANamespaceWait() {
    PodTargets plan =
        PodTargets.plan(
            List.of(
                decision("a", FIN_25, TeardownSettings.NONE),
                decision("b", TeardownSettings.NONE, TeardownSettings.NONE),
                decision("c", TeardownSettings.NONE, TeardownSettings.NONE),
                decision("d", TeardownSettings.NONE, FIN_25),
                decision("new", FIN_25, TeardownSettings.NONE),
                decision("watching", TeardownSettings.NONE, FIN_25)),
            List.of(
                namespace(1, "a"),
                namespace(2, "b"),
                namespace(3, "c"),
                namespace(4, "d"),
                new NetworkNamespaceRef(5, List.of(5), Optional.empty())),
            Set.of(uid("c")));
    assertThat(plan.targets())
        .extracting(PodTuner.Target::podUid, t -> t.namespace().inode())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(uid("a"), 1L),
            org.assertj.core.groups.Tuple.tuple(uid("c"), 3L),
            org.assertj.core.groups.Tuple.tuple(uid("d"), 4L));
    assertThat(plan.targets().get(1).apply()).isEqualTo(TeardownSettings.NONE);
    assertThat(plan.waiting()).containsExactly(uid("new"));
  }
}
