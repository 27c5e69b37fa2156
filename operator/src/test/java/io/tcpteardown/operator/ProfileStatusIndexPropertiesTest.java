package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.PodConflictEntry;
import io.tcpteardown.api.PodRuleResult;
import io.tcpteardown.api.ProfilePods;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.testsupport.ProfileStatusOracle;
import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * The incremental {@link ProfileStatusIndex} against the full recomputation ({@link
 * ProfileStatusOracle#compute}): after every event of a random sequence (profiles put, edited,
 * marked for deletion, deleted, their status written; Nodes added, relabelled, resized, deleted;
 * TcpTeardownNodes reported and deleted), every profile's status must be the same, transition times
 * included.
 */
@UnitTest
@Tag("unit")
class ProfileStatusIndexPropertiesTest {
  private static final long GIB = 1L << 30;
  private static final List<String> NODES = List.of("n0", "n1", "n2", "n3", "n4");
  private static final List<String> PROFILES = List.of("pa", "pb", "pc");
  private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");

  sealed interface Event {}

  record PutProfile(String name, TcpTeardownProfileSpec spec, boolean deleting) implements Event {}

  /** The operator wrote the profile's status: same spec, same generation. */
  record ProfileStatusWritten(String name) implements Event {}

  record RemoveProfile(String name) implements Event {}

  record PutNode(NodeFacts node) implements Event {}

  record RemoveNode(String name) implements Event {}

  record Report(String node, TcpTeardownNodeStatus status) implements Event {}

  record RemoveObject(String node) implements Event {}

  record UrgentSeen(UrgentStatus urgent, long version) {}

  @Property(tries = 300)
  void theIndexAgreesWithTheFullRecomputationAfterEveryEvent(@ForAll("events") List<Event> events) {
    ProfileStatusOracle oracle = new ProfileStatusOracle(new PressureTracker());
    ProfileStatusIndex index =
        new ProfileStatusIndex(new PressureTracker(), AgentSilence.NONE, new ProfileValidations());
    Map<String, TcpTeardownProfile> profiles = new TreeMap<>();
    Map<String, NodeFacts> nodes = new LinkedHashMap<>();
    Map<String, TcpTeardownNode> objects = new HashMap<>();
    long generation = 0;
    Instant now = START;
    Map<String, UrgentSeen> urgentSeen = new HashMap<>();
    for (Event event : events) {
      now = now.plusSeconds(1);
      Map<String, Long> versionsBefore = new HashMap<>();
      for (String name : profiles.keySet()) {
        versionsBefore.put(name, index.urgentVersion(name));
      }
      Set<String> changed = null;
      switch (event) {
        case PutProfile put -> {
          TcpTeardownProfile profile = new TcpTeardownProfile();
          profile.setMetadata(
              new ObjectMetaBuilder()
                  .withName(put.name())
                  .withGeneration(++generation)
                  .withDeletionTimestamp(put.deleting() ? "2026-11-26T12:00:00Z" : null)
                  .build());
          profile.setSpec(put.spec());
          TcpTeardownProfile before = profiles.get(put.name());
          profile.setStatus(before == null ? null : before.getStatus());
          profiles.put(put.name(), profile);
          index.putProfile(profile);
        }
        case ProfileStatusWritten written -> {
          TcpTeardownProfile before = profiles.get(written.name());
          if (before != null) {
            TcpTeardownProfile same = new TcpTeardownProfile();
            same.setMetadata(new ObjectMetaBuilder(before.getMetadata()).build());
            same.setSpec(before.getSpec());
            same.setStatus(before.getStatus());
            profiles.put(written.name(), same);
            index.putProfile(same);
          }
        }
        case RemoveProfile remove -> {
          profiles.remove(remove.name());
          index.removeProfile(remove.name());
        }
        case PutNode put -> {
          nodes.put(put.node().name(), put.node());
          index.putNode(put.node());
        }
        case RemoveNode remove -> {
          nodes.remove(remove.name());
          index.removeNode(remove.name());
        }
        case Report report -> {
          TcpTeardownNode object = new TcpTeardownNode();
          object.setMetadata(new ObjectMetaBuilder().withName(report.node()).build());
          object.setStatus(report.status());
          objects.put(report.node(), object);
          changed = index.putObject(report.node(), report.status());
        }
        case RemoveObject remove -> {
          objects.remove(remove.node());
          changed = index.removeObject(remove.node());
        }
      }
      if (changed != null) {
        // What a report says changed is what the feed reconciles: exactly the profiles whose
        // urgent version moved.
        Set<String> moved = new TreeSet<>();
        for (String name : profiles.keySet()) {
          if (index.urgentVersion(name) != versionsBefore.getOrDefault(name, 0L)) {
            moved.add(name);
          }
        }
        assertThat(changed).as("profiles reported changed after %s", event).isEqualTo(moved);
      }
      // The full recomputation's pressure tracker sees every report, as the index does.
      oracle.observe(nodes.values(), objects);
      for (TcpTeardownProfile profile : profiles.values()) {
        String name = profile.getMetadata().getName();
        TcpTeardownProfileStatus expected =
            oracle.compute(profile, profiles.values(), nodes.values(), objects, now);
        TcpTeardownProfileStatus actual =
            index.status(name, profile.getStatus(), now).orElseThrow();
        assertThat(actual).as("status of %s after %s", name, event).isEqualTo(expected);
        // The written-at-once part never changes without the urgent version changing with it.
        long version = index.urgentVersion(name);
        UrgentStatus urgent = UrgentStatus.of(expected);
        // The index decides the written-at-once part from its counts alone: it is the status's.
        assertThat(index.urgent(name))
            .as("urgent part the index decided for %s after %s", name, event)
            .contains(urgent);
        UrgentSeen before = urgentSeen.get(name);
        if (before != null && before.version() == version) {
          assertThat(urgent)
              .as("urgent part of %s after %s, urgent version unchanged", name, event)
              .isEqualTo(before.urgent());
        }
        urgentSeen.put(name, new UrgentSeen(urgent, version));
        profile.setStatus(expected);
      }
    }
  }

  @Provide
  Arbitrary<List<Event>> events() {
    Arbitrary<Event> event =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, putProfile()),
            net.jqwik.api.Tuple.of(
                1, Arbitraries.of(PROFILES).map(n -> (Event) new ProfileStatusWritten(n))),
            net.jqwik.api.Tuple.of(
                1, Arbitraries.of(PROFILES).map(n -> (Event) new RemoveProfile(n))),
            net.jqwik.api.Tuple.of(4, putNode()),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(NODES).map(n -> (Event) new RemoveNode(n))),
            net.jqwik.api.Tuple.of(8, report()),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(NODES).map(n -> (Event) new RemoveObject(n))));
    return event.list().ofMinSize(1).ofMaxSize(40);
  }

  private static Arbitrary<Event> putProfile() {
    Arbitrary<NodeSelector> selector =
        Arbitraries.of("none", "tier=web", "zone In a", "tier NotIn db", "tier Exists, zone In a,b")
            .map(ProfileStatusIndexPropertiesTest::selector);
    Arbitrary<Integer> priority = Arbitraries.of(0, 0, 5);
    Arbitrary<Integer> fin = Arbitraries.of(-1, 30, 40).map(v -> v < 0 ? null : v);
    Arbitrary<Integer> orphans = Arbitraries.of(-1, 65536).map(v -> v < 0 ? null : v);
    Arbitrary<Integer> buckets = Arbitraries.of(-1, 10000, 20000).map(v -> v < 0 ? null : v);
    Arbitrary<Boolean> recycle = Arbitraries.of(false, false, false, false, true);
    Arbitrary<Boolean> pods = Arbitraries.of(false, false, true);
    Arbitrary<TcpTeardownProfileSpec> spec =
        Combinators.combine(selector, priority, fin, orphans, buckets, recycle, pods)
            .as(
                (s, p, f, o, b, r, withPods) ->
                    new TcpTeardownProfileSpec(
                        s,
                        p,
                        null,
                        f,
                        o,
                        b,
                        null,
                        null,
                        r ? Boolean.TRUE : null,
                        withPods ? new ProfilePods(null, null, null) : null));
    return Combinators.combine(
            Arbitraries.of(PROFILES), spec, Arbitraries.of(false, false, false, false, true))
        .as((name, s, deleting) -> (Event) new PutProfile(name, s, deleting));
  }

  private static NodeSelector selector(String kind) {
    return switch (kind) {
      case "tier=web" -> new NodeSelector(Map.of("tier", "web"), null);
      case "zone In a" ->
          new NodeSelector(null, List.of(new NodeSelectorRequirement("zone", "In", List.of("a"))));
      case "tier NotIn db" ->
          new NodeSelector(
              null, List.of(new NodeSelectorRequirement("tier", "NotIn", List.of("db"))));
      case "tier Exists, zone In a,b" ->
          new NodeSelector(
              null,
              List.of(
                  new NodeSelectorRequirement("tier", "Exists", null),
                  new NodeSelectorRequirement("zone", "In", List.of("a", "b"))));
      default -> null;
    };
  }

  private static Arbitrary<Event> putNode() {
    Arbitrary<String> tier = Arbitraries.of("", "web", "db");
    Arbitrary<String> zone = Arbitraries.of("", "a", "b");
    Arbitrary<Long> memory = Arbitraries.of(-1L, GIB, 64 * GIB).map(v -> v < 0 ? null : v);
    return Combinators.combine(Arbitraries.of(NODES), tier, zone, memory)
        .as(
            (name, t, z, m) -> {
              Map<String, String> labels = new HashMap<>();
              if (!t.isEmpty()) {
                labels.put("tier", t);
              }
              if (!z.isEmpty()) {
                labels.put("zone", z);
              }
              return (Event) new PutNode(new NodeFacts(name, "uid-" + name, labels, m));
            });
  }

  private static Arbitrary<Event> report() {
    Arbitrary<String> fin = Arbitraries.of("", "30", "40");
    Arbitrary<String> buckets = Arbitraries.of("", "10000", "20000");
    Arbitrary<Long> timeWait = Arbitraries.of(0L, 5L, 9500L, 19000L);
    Arbitrary<Long> overflow = Arbitraries.of(0L, 1L, 2L);
    Arbitrary<String> reportTime = Arbitraries.of("t1", "t2", "t3", "t4", "");
    Arbitrary<Integer> extras = Arbitraries.integers().between(0, 127);
    return Combinators.combine(
            Arbitraries.of(NODES), fin, buckets, timeWait, overflow, reportTime, extras)
        .as(
            (node, f, b, tw, o, time, bits) -> {
              Map<String, String> applied = new HashMap<>();
              if (!f.isEmpty()) {
                applied.put("net.ipv4.tcp_fin_timeout", f);
              }
              if (!b.isEmpty()) {
                applied.put("net.ipv4.tcp_max_tw_buckets", b);
              }
              if ((bits & 1) != 0) {
                applied.put("net.ipv4.tcp_max_orphans", "65536");
              }
              List<Condition> conditions = new ArrayList<>();
              if ((bits & 2) != 0) {
                conditions.add(
                    Conditions.of(
                        NodeConditions.TEARDOWN_PRESSURE,
                        true,
                        NodeConditions.REASON_POD_PRESSURE,
                        "pod web/a: TIME_WAIT 900 of 1000",
                        1L));
              }
              if ((bits & 16) != 0) {
                conditions.add(
                    Conditions.of(
                        NodeConditions.ERROR,
                        true,
                        NodeConditions.REASON_SETTINGS_REFUSED,
                        "the kernel refused net.ipv4.tcp_fin_timeout",
                        1L));
              }
              boolean podAgent = (bits & 4) != 0;
              List<PodRuleResult> podRules =
                  (bits & 8) != 0
                      ? List.of(
                          new PodRuleResult("pa", 3L, 2L, 0L), new PodRuleResult("pb", 2L, 2L, 1L))
                      : null;
              List<PodConflictEntry> podConflicts =
                  (bits & 8) != 0
                      ? List.of(
                          new PodConflictEntry(
                              List.of("pa", "pb"), "finTimeoutSeconds", List.of("web/a")))
                      : null;
              TcpTeardownNodeStatus status =
                  new TcpTeardownNodeStatus(
                      1L,
                      applied,
                      Map.of("net.ipv4.tcp_max_orphans", "70000"),
                      new StateCounts(1, 2, tw, 3, 0, 0, 4),
                      new KernelCounters(o, 0),
                      0L,
                      conditions,
                      podAgent
                          ? new AgentInfo("agent-" + node, "1", List.of(AgentInfo.POD_RULES))
                          : null,
                      time.isEmpty() ? null : time,
                      null,
                      null,
                      (bits & 2) != 0 ? new StateCounts(0, 0, tw / 2, 0, 0, 0, 0) : null,
                      null,
                      null,
                      null,
                      null,
                      podConflicts,
                      podRules,
                      null,
                      null);
              List<AdviceEntry> advice = new ArrayList<>();
              if ((bits & 32) != 0) {
                advice.add(advice(AdviceEntry.SCOPE_HOST_NETWORK, "finTimeoutSeconds", "30"));
              }
              if ((bits & 64) != 0) {
                advice.add(advice(AdviceEntry.SCOPE_POD, "maxTwBuckets", "40000"));
                advice.add(advice(AdviceEntry.SCOPE_POD, "noSuchField", "1"));
              }
              if (!advice.isEmpty()) {
                status = status.withAdvice(advice, advice.size());
              }
              return (Event) new Report(node, status);
            });
  }

  private static AdviceEntry advice(String scope, String field, String suggested) {
    boolean pod = scope.equals(AdviceEntry.SCOPE_POD);
    return new AdviceEntry(
        scope,
        pod ? "web" : null,
        pod ? "a" : null,
        field,
        "60",
        suggested,
        "OrphansInFinWait2",
        "evidence",
        "2026-11-26T12:00:00Z",
        null);
  }
}
