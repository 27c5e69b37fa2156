package io.tcpteardown.operator;

import static io.tcpteardown.api.ProfileConditions.*;
import static io.tcpteardown.testsupport.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.HealthConditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.ProfileNodeEntry;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.rules.SafetyRules;
import io.tcpteardown.testsupport.ProfileStatusOracle;
import io.tcpteardown.testsupport.Specs;
import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The profile status as a table: profiles, nodes and the agents' reports in; conditions, counts and
 * node entries out. No cluster.
 */
@UnitTest
class ProfileStatusAssemblerTest {
  static final long GIB = 1024L * 1024 * 1024;
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  static final String FIN = "net.ipv4.tcp_fin_timeout";
  static final String TW_BUCKETS = "net.ipv4.tcp_max_tw_buckets";
  static final String MAX_ORPHANS = "net.ipv4.tcp_max_orphans";
  static final String TW_REUSE = "net.ipv4.tcp_tw_reuse";
  static final String TIMESTAMPS = "net.ipv4.tcp_timestamps";

  /**
   * One row: the world, the profile whose status is computed, and what its status must say. {@code
   * conditions} maps each condition type to "Status/Reason"; {@code messages} maps a type to text
   * its message must contain; {@code earlier} are agent reports seen in a computation before this
   * one (for the counters that must rise between two reports).
   */
  record Case(
      String name,
      List<TcpTeardownProfile> profiles,
      List<NodeFacts> nodes,
      Map<String, TcpTeardownNodeStatus> earlier,
      Map<String, TcpTeardownNodeStatus> reports,
      Map<String, String> conditions,
      Map<String, String> messages,
      int selected,
      int applied) {
    @Override
    public String toString() {
      return name;
    }
  }

  static TcpTeardownProfile profile(String name, Map<String, String> labels, Object spec) {
    TcpTeardownProfileSpec s = (TcpTeardownProfileSpec) spec;
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(new ObjectMetaBuilder().withName(name).withGeneration(3L).build());
    profile.setSpec(Specs.selecting(labels == null ? null : new NodeSelector(labels, null), s));
    return profile;
  }

  static NodeFacts node(String name, Map<String, String> labels) {
    return new NodeFacts(name, "uid-" + name, labels, 64 * GIB);
  }

  static NodeFacts node(String name) {
    return node(name, Map.of("tier", "web"));
  }

  static TcpTeardownNodeStatus report(Map<String, String> applied) {
    return report(applied, Map.of(), StateCounts.ZERO, null, null);
  }

  static TcpTeardownNodeStatus report(
      Map<String, String> applied,
      Map<String, String> original,
      StateCounts states,
      KernelCounters counters,
      String reportTime) {
    return new TcpTeardownNodeStatus(
        1L, applied, original, states, counters, 0L, List.of(), null, reportTime);
  }

  static StateCounts states(long timeWait, long orphans) {
    return new StateCounts(0, 0, timeWait, 0, 0, 0, orphans);
  }

  static Map<String, String> conditions(String... typeStatusReason) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < typeStatusReason.length; i += 2) {
      map.put(typeStatusReason[i], typeStatusReason[i + 1]);
    }
    return map;
  }

  static final Map<String, String> WEB = Map.of("tier", "web");
  static final TcpTeardownProfile FIN_30 =
      profile("web", WEB, spec().finTimeoutSeconds(30).build());

  static Map<String, String> allFine(String applied) {
    return conditions(
        ACCEPTED, "True/" + REASON_VALID,
        APPLIED, applied,
        CONFLICT, "False/" + REASON_NO_CONFLICT,
        TEARDOWN_PRESSURE, "False/" + REASON_NO_PRESSURE,
        HELD_BACK, "False/" + REASON_NOTHING_HELD_BACK);
  }

  static Stream<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(
        new Case(
            "accepted, its selector matches no node",
            List.of(FIN_30),
            List.of(node("db-1", Map.of("tier", "db"))),
            Map.of(),
            Map.of(),
            allFine("False/" + REASON_NO_NODES_SELECTED),
            Map.of(),
            0,
            0));
    cases.add(
        new Case(
            "accepted and applied: the node reads back the value it won there",
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of(),
            Map.of("web-1", report(Map.of(FIN, "30"))),
            allFine("True/" + REASON_ALL_NODES_APPLIED),
            Map.of(APPLIED, "All 1 selected nodes"),
            1,
            1));
    cases.add(
        new Case(
            "applied: the read-back value may carry the newline of the proc file",
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of(),
            Map.of("web-1", report(Map.of(FIN, " 30\n"))),
            allFine("True/" + REASON_ALL_NODES_APPLIED),
            Map.of(),
            1,
            1));
    cases.add(
        new Case(
            "applied: enums compare as the kernel's numbers",
            List.of(
                profile(
                    "web",
                    WEB,
                    spec().twReuse(TwReuse.LoopbackOnly).timestamps(Timestamps.Enabled).build())),
            List.of(node("web-1")),
            Map.of(),
            Map.of("web-1", report(Map.of(TW_REUSE, "2", TIMESTAMPS, "1"))),
            allFine("True/" + REASON_ALL_NODES_APPLIED),
            Map.of(),
            1,
            1));
    cases.add(
        new Case(
            "pending: one node reads back another value, one has no report yet",
            List.of(FIN_30),
            List.of(node("web-1"), node("web-2"), node("web-3")),
            Map.of(),
            Map.of("web-1", report(Map.of(FIN, "30")), "web-2", report(Map.of(FIN, "60"))),
            allFine("False/" + REASON_PENDING),
            Map.of(
                APPLIED,
                "1 of 3 selected nodes report this profile's values applied; not yet: web-2, web-3"),
            3,
            1));
    cases.add(
        new Case(
            "pending: a node whose agent reports nothing applied",
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of(),
            Map.of("web-1", report(null)),
            allFine("False/" + REASON_PENDING),
            Map.of(APPLIED, "not yet: web-1"),
            1,
            0));
    cases.add(
        new Case(
            "pending: at most 5 node names in the message, then how many more",
            List.of(FIN_30),
            IntStream.rangeClosed(1, 8).mapToObj(i -> node("web-" + i)).toList(),
            Map.of(),
            Map.of(),
            allFine("False/" + REASON_PENDING),
            Map.of(
                APPLIED,
                "0 of 8 selected nodes report this profile's values applied; not yet: "
                    + "web-1, web-2, web-3, web-4, web-5 and 3 more"),
            8,
            0));
    cases.add(
        new Case(
            "rejected: a safety rule fails, applied nowhere",
            List.of(profile("web", WEB, spec().twRecycle(true).build())),
            List.of(node("web-1")),
            Map.of(),
            Map.of("web-1", report(Map.of())),
            conditions(
                ACCEPTED, "False/" + SafetyRules.RULE_TW_RECYCLE,
                APPLIED, "False/" + REASON_NOT_ACCEPTED,
                CONFLICT, "False/" + REASON_NO_CONFLICT,
                TEARDOWN_PRESSURE, "False/" + REASON_NO_PRESSURE,
                HELD_BACK, "False/" + REASON_NOTHING_HELD_BACK),
            Map.of(ACCEPTED, "Rejected, applied to no node: ", APPLIED, "see Accepted"),
            1,
            0));
    cases.add(
        new Case(
            "rejected: reuse without timestamps names the rule",
            List.of(
                profile(
                    "web",
                    WEB,
                    spec().twReuse(TwReuse.Enabled).timestamps(Timestamps.Disabled).build())),
            List.of(node("web-1")),
            Map.of(),
            Map.of(),
            conditions(
                ACCEPTED, "False/" + SafetyRules.RULE_REUSE_TIMESTAMPS,
                APPLIED, "False/" + REASON_NOT_ACCEPTED),
            Map.of(ACCEPTED, "twReuse"),
            1,
            0));
    cases.add(
        new Case(
            "conflict: equal priority, different values; the name sorting first wins, the loser won nothing to apply",
            List.of(
                profile("alpha", WEB, spec().finTimeoutSeconds(20).build()),
                profile("web", WEB, spec().finTimeoutSeconds(30).build())),
            List.of(node("web-1"), node("web-2")),
            Map.of(),
            Map.of("web-1", report(Map.of(FIN, "20")), "web-2", report(Map.of(FIN, "20"))),
            conditions(
                ACCEPTED, "True/" + REASON_VALID,
                APPLIED, "True/" + REASON_ALL_NODES_APPLIED,
                CONFLICT, "True/" + REASON_EQUAL_PRIORITY_CLASH),
            Map.of(
                CONFLICT,
                "Profile alpha has the same priority and sets finTimeoutSeconds differently on 2 nodes;"
                    + " alpha wins"),
            2,
            2));
    cases.add(
        new Case(
            "no conflict: a higher priority wins; the loser is applied where it won nothing",
            List.of(
                profile("alpha", WEB, spec().finTimeoutSeconds(20).build()),
                profile("web", WEB, spec().priority(5).finTimeoutSeconds(30).build())),
            List.of(node("web-1")),
            Map.of(),
            Map.of("web-1", report(Map.of(FIN, "30"))),
            allFine("True/" + REASON_ALL_NODES_APPLIED),
            Map.of(),
            1,
            1));
    cases.add(
        new Case(
            "held back: maxOrphans x 64 KiB over 25% of a small node's memory; nothing won there to apply",
            List.of(profile("web", WEB, spec().maxOrphans(65_536).build())),
            List.of(new NodeFacts("small-1", "u", WEB, 1 * GIB), node("web-1")),
            Map.of(),
            Map.of("web-1", report(Map.of(MAX_ORPHANS, "65536"))),
            conditions(
                ACCEPTED, "True/" + REASON_VALID,
                HELD_BACK, "True/" + REASON_MAX_ORPHANS_HELD_BACK),
            Map.of(HELD_BACK, "small-1: "),
            2,
            2));
    cases.add(
        new Case(
            "held back: childEhashEntries tables of 110 pods over 5% of a small node's memory",
            List.of(profile("web", WEB, spec().childEhashEntries(1_048_576).build())),
            List.of(new NodeFacts("small-1", "u", WEB, 1 * GIB, 110L), node("web-1")),
            Map.of(),
            Map.of("web-1", report(Map.of("net.ipv4.tcp_child_ehash_entries", "1048576"))),
            conditions(
                ACCEPTED, "True/" + REASON_VALID,
                HELD_BACK, "True/" + REASON_SETTINGS_HELD_BACK),
            Map.of(HELD_BACK, "small-1: childEhashEntries"),
            2,
            2));
    cases.add(
        new Case(
            "pressure: TIME_WAIT at 90% of the applied tcp_max_tw_buckets",
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of(),
            Map.of(
                "web-1",
                report(
                    Map.of(FIN, "30", TW_BUCKETS, "10000"), Map.of(), states(9000, 0), null, "t1")),
            conditions(
                APPLIED, "True/" + REASON_ALL_NODES_APPLIED,
                TEARDOWN_PRESSURE, "True/" + REASON_TEARDOWN_PRESSURE),
            Map.of(
                TEARDOWN_PRESSURE,
                "web-1: TIME_WAIT 9000 is at or above 90% of tcp_max_tw_buckets 10000."),
            1,
            1));
    cases.add(
        new Case(
            "no pressure: TIME_WAIT just below 90%",
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of(),
            Map.of(
                "web-1",
                report(
                    Map.of(FIN, "30"), Map.of(TW_BUCKETS, "10000"), states(8999, 0), null, "t1")),
            allFine("True/" + REASON_ALL_NODES_APPLIED),
            Map.of(),
            1,
            1));
    cases.add(
        new Case(
            "pressure: orphans near the node's original tcp_max_orphans",
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of(),
            Map.of(
                "web-1",
                report(
                    Map.of(FIN, "30"), Map.of(MAX_ORPHANS, "4096"), states(0, 4000), null, "t1")),
            conditions(TEARDOWN_PRESSURE, "True/" + REASON_TEARDOWN_PRESSURE),
            Map.of(TEARDOWN_PRESSURE, "orphans 4000 are at or above 90% of tcp_max_orphans 4096"),
            1,
            1));
    cases.add(
        new Case(
            "pressure: kernel counters rose between two reports",
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of(
                "web-1",
                report(
                    Map.of(FIN, "30"), Map.of(), StateCounts.ZERO, new KernelCounters(5, 0), "t1")),
            Map.of(
                "web-1",
                report(
                    Map.of(FIN, "30"), Map.of(), StateCounts.ZERO, new KernelCounters(7, 0), "t2")),
            conditions(TEARDOWN_PRESSURE, "True/" + REASON_TEARDOWN_PRESSURE),
            Map.of(TEARDOWN_PRESSURE, "TCPTimeWaitOverflow or TCPAbortOnMemory rose"),
            1,
            1));
    cases.add(
        new Case(
            "no pressure: kernel counters unchanged between two reports",
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of(
                "web-1",
                report(
                    Map.of(FIN, "30"), Map.of(), StateCounts.ZERO, new KernelCounters(5, 9), "t1")),
            Map.of(
                "web-1",
                report(
                    Map.of(FIN, "30"), Map.of(), StateCounts.ZERO, new KernelCounters(5, 9), "t2")),
            allFine("True/" + REASON_ALL_NODES_APPLIED),
            Map.of(),
            1,
            1));
    cases.add(
        new Case(
            "no pressure: the first report only sets the baseline",
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of(),
            Map.of(
                "web-1",
                report(
                    Map.of(FIN, "30"), Map.of(), StateCounts.ZERO, new KernelCounters(7, 7), "t2")),
            allFine("True/" + REASON_ALL_NODES_APPLIED),
            Map.of(),
            1,
            1));
    return cases.stream();
  }

  static TcpTeardownProfileStatus compute(
      ProfileStatusOracle oracle,
      List<TcpTeardownProfile> profiles,
      List<NodeFacts> nodes,
      Map<String, TcpTeardownNodeStatus> reports,
      String profileName) {
    TcpTeardownProfile profile =
        profiles.stream()
            .filter(p -> p.getMetadata().getName().equals(profileName))
            .findFirst()
            .orElseThrow();
    return oracle.compute(profile, profiles, nodes, nodeObjects(reports), NOW);
  }

  static Map<String, TcpTeardownNode> nodeObjects(Map<String, TcpTeardownNodeStatus> reports) {
    return reports.entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey,
                e -> {
                  TcpTeardownNode object = new TcpTeardownNode();
                  object.setMetadata(new ObjectMetaBuilder().withName(e.getKey()).build());
                  object.setStatus(e.getValue());
                  return object;
                }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void computesTheStatusOfTheProfile(Case row) {
    ProfileStatusOracle oracle = new ProfileStatusOracle(new PressureTracker());
    if (!row.earlier().isEmpty()) {
      compute(oracle, row.profiles(), row.nodes(), row.earlier(), "web");
    }
    TcpTeardownProfileStatus status =
        compute(oracle, row.profiles(), row.nodes(), row.reports(), "web");

    Map<String, Condition> byType =
        status.conditions().stream().collect(Collectors.toMap(Condition::getType, c -> c));
    assertThat(byType.keySet())
        .containsExactlyInAnyOrder(
            ACCEPTED,
            APPLIED,
            CONFLICT,
            TEARDOWN_PRESSURE,
            HELD_BACK,
            HealthConditions.READY,
            HealthConditions.RECONCILING,
            HealthConditions.STALLED);
    // kstatus: Ready exactly when accepted, applied (or selecting no node) and without conflict;
    // Reconciling and Stalled never both; not Ready means one of them, so Flux never only waits.
    boolean applied =
        "True".equals(byType.get(APPLIED).getStatus())
            || "NoNodesSelected".equals(byType.get(APPLIED).getReason());
    boolean ready =
        "True".equals(byType.get(ACCEPTED).getStatus())
            && applied
            && "False".equals(byType.get(CONFLICT).getStatus());
    assertThat(byType.get(HealthConditions.READY).getStatus()).isEqualTo(ready ? "True" : "False");
    assertThat(
            List.of(
                byType.get(HealthConditions.RECONCILING).getStatus(),
                byType.get(HealthConditions.STALLED).getStatus()))
        .containsExactlyInAnyOrder(ready ? "False" : "True", "False");
    row.conditions()
        .forEach(
            (type, expected) ->
                assertThat(byType.get(type).getStatus() + "/" + byType.get(type).getReason())
                    .as(type + ": " + byType.get(type).getMessage())
                    .isEqualTo(expected));
    row.messages()
        .forEach((type, text) -> assertThat(byType.get(type).getMessage()).as(type).contains(text));
    assertThat(status.conditions())
        .allSatisfy(
            c -> {
              assertThat(c.getObservedGeneration()).isEqualTo(3L);
              assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-26T12:00:00Z");
            });
    assertThat(status.observedGeneration()).isEqualTo(3L);
    assertThat(status.selectedNodes()).as("selected").isEqualTo(row.selected());
    assertThat(status.appliedNodes()).as("applied").isEqualTo(row.applied());
    assertThat(status.nodes())
        .extracting(ProfileNodeEntry::name)
        .as("one entry per selected node, sorted by name")
        .isSorted()
        .hasSize(row.selected());
    assertThat(status.nodes().stream().filter(ProfileNodeEntry::applied).count())
        .isEqualTo(row.applied());
    assertThat(status.nodesTruncated()).isNull();
  }

  @Test
  void theNodesLimitIsComparedWithItsOwnNamespaceNotWithTheSumOverItsPods() {
    // 120,000 TIME_WAIT on the whole node, of which 1,000 in its own namespace: no pressure
    // against its 131072 buckets; the pods' namespaces have their own limits.
    TcpTeardownNodeStatus whole =
        new TcpTeardownNodeStatus(
            1L,
            Map.of(),
            Map.of("net.ipv4.tcp_max_tw_buckets", "131072"),
            states(120_000, 0),
            null,
            0L,
            List.of(),
            null,
            "2026-11-26T12:00:00Z",
            "2026-11-26T12:00:00Z",
            null,
            states(1_000, 0),
            List.of(),
            3,
            null,
            "2026-11-26T12:00:00Z",
            null,
            null,
            null,
            null);
    TcpTeardownProfileStatus status =
        compute(
            new ProfileStatusOracle(new PressureTracker()),
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of("web-1", whole),
            "web");
    assertThat(Conditions.isTrue(status.conditions(), TEARDOWN_PRESSURE)).isFalse();
    assertThat(status.totals().timeWait()).isEqualTo(120_000);
  }

  @Test
  void aPodsLeakOrPressureOnASelectedNodeIsTheProfilesPressureNamingThePod() {
    TcpTeardownNodeStatus leaking =
        new TcpTeardownNodeStatus(
            1L,
            Map.of(),
            Map.of(),
            states(0, 0),
            null,
            0L,
            List.of(
                Conditions.of(
                    NodeConditions.CLOSE_WAIT_LEAK,
                    true,
                    NodeConditions.REASON_LEAK_SUSPECTED,
                    "pod shop/web-7 holds 150 CLOSE_WAIT sockets",
                    1L)),
            null,
            "2026-11-26T12:00:00Z");
    TcpTeardownProfileStatus status =
        compute(
            new ProfileStatusOracle(new PressureTracker()),
            List.of(FIN_30),
            List.of(node("web-1")),
            Map.of("web-1", leaking),
            "web");
    assertThat(Conditions.isTrue(status.conditions(), TEARDOWN_PRESSURE)).isTrue();
    assertThat(Conditions.find(status.conditions(), TEARDOWN_PRESSURE).orElseThrow().getMessage())
        .contains("web-1")
        .contains("pod shop/web-7 holds 150 CLOSE_WAIT");
  }

  @Test
  void hugeLeakMessagesOfManyNodesMakeABoundedProfileMessageThatKeepsTheNodeCount() {
    // as an agent of today's main wrote them: every holder named, escapes stored as they are
    String hostile =
        "pod shop/web-7 holds 2001 CLOSE_WAIT sockets; held by "
            + "pid 1 (\u001b[2J\n) 120, ".repeat(2_000);
    List<NodeFacts> nodes = new ArrayList<>();
    Map<String, TcpTeardownNodeStatus> reports = new java.util.HashMap<>();
    for (int i = 0; i < 20; i++) {
      String name = String.format("web-%02d", i);
      nodes.add(node(name));
      reports.put(
          name,
          new TcpTeardownNodeStatus(
              1L,
              Map.of(),
              Map.of(),
              states(0, 0),
              null,
              0L,
              List.of(
                  new io.fabric8.kubernetes.api.model.ConditionBuilder()
                      .withType(NodeConditions.CLOSE_WAIT_LEAK)
                      .withStatus(Conditions.TRUE)
                      .withReason(NodeConditions.REASON_LEAK_SUSPECTED)
                      .withMessage(hostile)
                      .build()),
              null,
              "2026-11-26T12:00:00Z"));
    }
    TcpTeardownProfileStatus status =
        compute(
            new ProfileStatusOracle(new PressureTracker()), List.of(FIN_30), nodes, reports, "web");
    String message =
        Conditions.find(status.conditions(), TEARDOWN_PRESSURE).orElseThrow().getMessage();
    assertThat(message.length()).isLessThanOrEqualTo(Conditions.MAX_MESSAGE);
    assertThat(message).startsWith("web-00: pod shop/web-7 holds 2001").contains("\\x1b[2J\\x0a");
    assertThat(message).endsWith(" more nodes.");
    assertThat(message.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
    int shown = message.split("web-\\d\\d: ").length - 1;
    assertThat(message).endsWith(" And " + (20 - shown) + " more nodes.");
  }

  @Test
  void heldBackIsNamedOnTheNodeEntryOfTheNodeThatCannotAffordIt() {
    List<TcpTeardownProfile> profiles =
        List.of(profile("web", WEB, spec().maxOrphans(65_536).build()));
    TcpTeardownProfileStatus status =
        compute(
            new ProfileStatusOracle(new PressureTracker()),
            profiles,
            List.of(new NodeFacts("small-1", "u", WEB, 1 * GIB), node("web-1")),
            Map.of(),
            "web");
    Map<String, ProfileNodeEntry> entries =
        status.nodes().stream().collect(Collectors.toMap(ProfileNodeEntry::name, e -> e));
    assertThat(entries.get("small-1").heldBack()).contains("maxOrphans");
    assertThat(entries.get("web-1").heldBack()).isNull();
  }

  @Test
  void totalsSumEveryStateOverTheSelectedNodesAndEntriesCarryEachNodesCounts() {
    StateCounts a = new StateCounts(1, 2, 3, 4, 5, 6, 7);
    StateCounts b = new StateCounts(10, 20, 30, 40, 50, 60, 70);
    TcpTeardownProfileStatus status =
        compute(
            new ProfileStatusOracle(new PressureTracker()),
            List.of(FIN_30),
            List.of(node("web-1"), node("web-2"), node("db-1", Map.of("tier", "db"))),
            Map.of(
                "web-1", report(Map.of(), Map.of(), a, null, "t"),
                "web-2", report(Map.of(), Map.of(), b, null, "t"),
                "db-1", report(Map.of(), Map.of(), b, null, "t")),
            "web");
    assertThat(status.totals()).isEqualTo(new StateCounts(11, 22, 33, 44, 55, 66, 77));
    assertThat(status.nodes())
        .extracting(ProfileNodeEntry::name, ProfileNodeEntry::timeWait, ProfileNodeEntry::orphans)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("web-1", 3L, 7L),
            org.assertj.core.groups.Tuple.tuple("web-2", 30L, 70L));
  }

  @Test
  void atMost100NodeEntriesAndTruncationSaidOnlyAbove100() {
    Function<Integer, TcpTeardownProfileStatus> withNodes =
        count ->
            compute(
                new ProfileStatusOracle(new PressureTracker()),
                List.of(FIN_30),
                IntStream.range(0, count).mapToObj(i -> node("web-%03d".formatted(i))).toList(),
                Map.of(),
                "web");
    TcpTeardownProfileStatus hundred = withNodes.apply(100);
    assertThat(hundred.nodes()).hasSize(100);
    assertThat(hundred.nodesTruncated()).isNull();
    TcpTeardownProfileStatus more = withNodes.apply(101);
    assertThat(more.selectedNodes()).isEqualTo(101);
    assertThat(more.nodes()).hasSize(SelectedNodes.MAX_NODE_ENTRIES);
    assertThat(more.nodes().getLast().name()).isEqualTo("web-099");
    assertThat(more.nodesTruncated()).isTrue();
  }

  @Test
  void aConditionKeepsItsTransitionTimeWhileItsStatusStays() {
    ProfileStatusOracle oracle = new ProfileStatusOracle(new PressureTracker());
    TcpTeardownProfile profile = profile("web", WEB, spec().finTimeoutSeconds(30).build());
    List<NodeFacts> nodes = List.of(node("web-1"));
    TcpTeardownProfileStatus first =
        oracle.compute(profile, List.of(profile), nodes, Map.of(), NOW);
    profile.setStatus(first);
    TcpTeardownProfileStatus second =
        oracle.compute(
            profile,
            List.of(profile),
            nodes,
            nodeObjects(Map.of("web-1", report(Map.of(FIN, "30")))),
            NOW.plusSeconds(60));
    Map<String, String> times =
        second.conditions().stream()
            .collect(Collectors.toMap(Condition::getType, Condition::getLastTransitionTime));
    assertThat(times)
        .containsEntry(ACCEPTED, "2026-11-26T12:00:00Z")
        .containsEntry(APPLIED, "2026-11-26T12:01:00Z");
  }

  @Test
  void theCountersOfANodeThatWentAwayAreForgotten() {
    PressureTracker tracker = new PressureTracker();
    ProfileStatusOracle oracle = new ProfileStatusOracle(tracker);
    List<TcpTeardownProfile> profiles = List.of(FIN_30);
    Map<String, TcpTeardownNodeStatus> oldMachine =
        Map.of(
            "web-1",
            report(Map.of(FIN, "30"), Map.of(), StateCounts.ZERO, new KernelCounters(0, 0), "t1"),
            "web-2",
            report(Map.of(FIN, "30"), Map.of(), StateCounts.ZERO, new KernelCounters(0, 0), "t1"));
    compute(oracle, profiles, List.of(node("web-1"), node("web-2")), oldMachine, "web");
    assertThat(tracker.trackedNodes()).containsExactlyInAnyOrder("web-1", "web-2");

    // The Node web-1 is deleted (its TcpTeardownNode goes with it); web-2 loses its
    // TcpTeardownNode.
    compute(oracle, profiles, List.of(node("web-2")), Map.of(), "web");
    assertThat(tracker.trackedNodes()).as("nothing kept of nodes that went away").isEmpty();

    // A new machine joins as web-1; its kernel counters are its own, its first report a baseline.
    TcpTeardownProfileStatus status =
        compute(
            oracle,
            profiles,
            List.of(node("web-1")),
            Map.of(
                "web-1",
                report(
                    Map.of(FIN, "30"),
                    Map.of(),
                    StateCounts.ZERO,
                    new KernelCounters(40, 2),
                    "t9")),
            "web");
    assertThat(status.conditions())
        .filteredOn(c -> c.getType().equals(TEARDOWN_PRESSURE))
        .extracting(Condition::getStatus)
        .containsExactly("False");
  }

  @Test
  void aPreviousConditionWithoutStatusOrTypeIsTakenAsAbsent() {
    TcpTeardownProfile profile = profile("web", WEB, spec().finTimeoutSeconds(30).build());
    profile.setStatus(
        new TcpTeardownProfileStatus(
            1L,
            new ArrayList<>(
                List.of(
                    new io.fabric8.kubernetes.api.model.ConditionBuilder()
                        .withType(ACCEPTED)
                        .withLastTransitionTime("2020-01-01T00:00:00Z")
                        .build(),
                    new io.fabric8.kubernetes.api.model.ConditionBuilder()
                        .withStatus("True")
                        .build(),
                    new Condition())),
            null,
            null,
            null,
            null,
            null));
    TcpTeardownProfileStatus status =
        new ProfileStatusOracle(new PressureTracker())
            .compute(profile, List.of(profile), List.of(), Map.of(), NOW);
    assertThat(status.conditions())
        .filteredOn(c -> c.getType().equals(ACCEPTED))
        .extracting(Condition::getStatus, Condition::getLastTransitionTime)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("True", "2026-11-26T12:00:00Z"));
  }

  @Test
  void thePressureMessageNamesAtMostFiveNodesAndHowManyMore() {
    List<NodeFacts> nodes = new ArrayList<>();
    Map<String, TcpTeardownNodeStatus> reports = new java.util.HashMap<>();
    for (int i = 0; i < 2_000; i++) {
      String name = String.format("web-%04d", i);
      nodes.add(node(name));
      reports.put(
          name,
          report(
              Map.of(),
              Map.of("net.ipv4.tcp_max_tw_buckets", "1000"),
              states(999, 0),
              null,
              "2026-11-26T12:00:00Z"));
    }
    TcpTeardownProfileStatus status =
        compute(
            new ProfileStatusOracle(new PressureTracker()), List.of(FIN_30), nodes, reports, "web");
    String message =
        Conditions.find(status.conditions(), TEARDOWN_PRESSURE).orElseThrow().getMessage();
    assertThat(message)
        .contains("web-0000:", "web-0004:")
        .doesNotContain("web-0005:")
        .endsWith("And 1995 more nodes.");
    assertThat(message.length()).isLessThan(2_000);
  }

  @Test
  void pressureIsExactForAnyCountAndLimitALongHolds() {
    assertThat(NodePressure.nearLimit(Long.MAX_VALUE, 10L)).isTrue();
    assertThat(NodePressure.nearLimit(Long.MAX_VALUE / 10, Long.MAX_VALUE)).isFalse();
    assertThat(NodePressure.nearLimit(Long.MAX_VALUE, Long.MAX_VALUE)).isTrue();
    assertThat(NodePressure.nearLimit(900, 1000L)).isTrue();
    assertThat(NodePressure.nearLimit(899, 1000L)).isFalse();
    assertThat(NodePressure.nearLimit(0, 0L)).isFalse();
    assertThat(NodePressure.nearLimit(5, -1L)).isFalse();
    assertThat(NodePressure.nearLimit(5, null)).isFalse();
  }

  @Test
  void negativeCountsCountAsZeroAndSumsStopAtTheLargestLong() {
    TcpTeardownProfileStatus status =
        compute(
            new ProfileStatusOracle(new PressureTracker()),
            List.of(FIN_30),
            List.of(node("web-1"), node("web-2"), node("web-3")),
            Map.of(
                "web-1", report(Map.of(), Map.of(), states(Long.MAX_VALUE, 3), null, "t"),
                "web-2", report(Map.of(), Map.of(), states(1, -2), null, "t"),
                "web-3",
                    report(
                        Map.of(),
                        Map.of(),
                        new StateCounts(-1, -1, -1, -1, -1, -1, -1),
                        null,
                        "t")),
            "web");
    assertThat(status.totals()).isEqualTo(new StateCounts(0, 0, Long.MAX_VALUE, 0, 0, 0, 3));
    assertThat(status.nodes()).extracting(ProfileNodeEntry::orphans).containsExactly(3L, 0L, 0L);
  }
}
