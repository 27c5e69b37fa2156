package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.agent.pods.CloseWaitHolders;
import io.tcpteardown.agent.pods.NamespaceCounts;
import io.tcpteardown.agent.pods.NetworkNamespaceRef;
import io.tcpteardown.agent.pods.PodCgroup;
import io.tcpteardown.agent.pods.PodMeta;
import io.tcpteardown.agent.pods.PodRulesStatus;
import io.tcpteardown.agent.pods.PodSweepLoop;
import io.tcpteardown.agent.pods.SweepSummarizer;
import io.tcpteardown.agent.pods.SweptPods;
import io.tcpteardown.agent.sysctl.DriftCorrection;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.KernelCounters;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.PodConflictEntry;
import io.tcpteardown.api.PodDriftEntry;
import io.tcpteardown.api.PodRuleResult;
import io.tcpteardown.api.PodTeardownEntry;
import io.tcpteardown.api.PodTeardownEntry.Listed;
import io.tcpteardown.api.PodTuningEntry;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.tier.UnitTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Whatever tenants do (thousands of processes holding CLOSE_WAIT in one pod, every pod of a node
 * leaking, hostile process names, every field at its longest), the status an agent writes stays
 * under {@link TcpTeardownNodeStatus#MAX_BYTES}, lists say how many more they leave out, counts
 * stay exact and no control character is written.
 */
@UnitTest
class NodeStatusBoundsTest {
  private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AgentStatusComposer COMPOSER =
      new AgentStatusComposer(new AgentInfo("a".repeat(253), "1.0.0", List.of("podRules")));

  /** 15 bytes of the worst a process may name itself: escapes, newline, DEL, invalid UTF-8. */
  private static final String HOSTILE_COMM =
      new String(
          new byte[] {
            0x1b, '[', '2', 'J', 0x1b, ']', '0', ';', 0x07, '\n', 0x7f, (byte) 0xc3, '(', 0, 0x01
          },
          StandardCharsets.ISO_8859_1);

  private static SweepSummarizer.PodInput leakingPod(int index, int holders, int nameLength) {
    String uid = new UUID(index, index).toString();
    List<Integer> pids = new ArrayList<>();
    List<CloseWaitHolders.Holder> held = new ArrayList<>();
    for (int i = 0; i < holders; i++) {
      pids.add(100_000 + i);
      held.add(
          new CloseWaitHolders.Holder(
              4_000_000 + i, HOSTILE_COMM, Optional.of("f".repeat(64)), 120));
    }
    NamespaceCounts counts =
        new NamespaceCounts(
            new NetworkNamespaceRef(
                4_026_531_840L + index,
                pids.isEmpty() ? List.of(1) : pids,
                Optional.of(new PodCgroup(uid, Optional.of("f".repeat(64))))),
            new StateCounts(
                Long.MAX_VALUE,
                Long.MAX_VALUE,
                Long.MAX_VALUE,
                Long.MAX_VALUE,
                Long.MAX_VALUE,
                Long.MAX_VALUE,
                Long.MAX_VALUE),
            new KernelCounters(Long.MAX_VALUE, Long.MAX_VALUE),
            OptionalLong.of(Long.MAX_VALUE),
            io.tcpteardown.agent.count.CountMethod.NETLINK,
            NOW.minusSeconds(5),
            Optional.of(new io.tcpteardown.agent.count.EhashTable(false, Long.MAX_VALUE)));
    String namespace = String.format("%03d", index) + "n".repeat(60);
    String name = String.format("%03d", index) + "p".repeat(nameLength - 3);
    return new SweepSummarizer.PodInput(
        counts,
        Optional.of(new PodMeta(namespace, name, uid, false)),
        true,
        held,
        Optional.of(KernelCounters.ZERO));
  }

  private static PodSweepLoop.Result sweep(List<SweepSummarizer.PodInput> pods) {
    return new PodSweepLoop.Result(
        SweepSummarizer.summarize(pods, 20, NOW),
        NOW,
        Duration.ZERO,
        Optional.of("\u001b" + "a".repeat(10_000)));
  }

  /** A state whose Applied, Error and Drift messages are as long as a state can make them. */
  private static AgentState troubled() {
    List<String> refused = new ArrayList<>();
    Map<String, String> fields = new TreeMap<>();
    for (int i = 0; i < 200; i++) {
      refused.add("refused-" + i + "-" + "r".repeat(100));
      fields.put("field-" + i, "\u001b[31m" + "e".repeat(100));
    }
    List<DriftCorrection> drift = new ArrayList<>();
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      drift.add(new DriftCorrection(sysctl, Long.MAX_VALUE, Long.MIN_VALUE));
    }
    Map<ManagedSysctl, Long> values = new HashMap<>();
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      values.put(sysctl, Long.MIN_VALUE);
    }
    return new AgentState(
        Long.MAX_VALUE,
        TeardownSettings.NONE,
        values,
        values,
        new AgentState.Problems(refused, Optional.of("s".repeat(50_000)), fields),
        drift,
        Long.MAX_VALUE);
  }

  /**
   * Pod rules at their worst: every field from a profile of the longest name, errors everywhere.
   */
  private static PodRulesStatus tuning(List<SweepSummarizer.PodInput> pods) {
    String profile = "x".repeat(253);
    Map<String, String> sysctls = new TreeMap<>();
    Map<String, String> sources = new TreeMap<>();
    Map<String, String> changes = new TreeMap<>();
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      if (sysctl.scope() == ManagedSysctl.Scope.NAMESPACES_CREATED_LATER) {
        continue; // never a pod's: the pod rules do not carry it
      }
      sysctls.put(sysctl.key(), Long.toString(Long.MIN_VALUE));
      sources.put(sysctl.field(), profile);
      changes.put(sysctl.key(), Long.MIN_VALUE + " -> " + Long.MIN_VALUE);
    }
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      errors.add("\u001b" + "E".repeat(5_000));
    }
    Map<String, PodTuningEntry> entries = new HashMap<>();
    Map<String, PodDriftEntry> drift = new HashMap<>();
    // Every sysctl written back, counts and times at their longest.
    PodDriftEntry drifted =
        new PodDriftEntry(
            Arrays.stream(ManagedSysctl.values()).map(ManagedSysctl::key).toList(),
            Long.MAX_VALUE,
            "9".repeat(PodDriftEntry.MAX_TIME),
            "9".repeat(PodDriftEntry.MAX_TIME));
    List<PodTeardownEntry> failed = new ArrayList<>();
    for (SweepSummarizer.PodInput pod : pods) {
      PodTuningEntry entry = new PodTuningEntry(sysctls, sources, sources, changes, errors);
      String uid = pod.meta().orElseThrow().uid();
      entries.put(uid, entry);
      drift.put(uid, drifted);
      // as many failed pods again, not among the swept ones
      failed.add(
          new PodTeardownEntry(
              pod.meta().orElseThrow().namespace(),
              pod.meta().orElseThrow().name(),
              new UUID(-1, uid.hashCode()).toString(),
              null,
              null,
              null,
              null,
              null,
              Listed.Error,
              entry,
              null,
              drifted));
    }
    List<PodConflictEntry> conflicts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      names.add("n".repeat(63) + "/" + "p".repeat(253));
    }
    for (int i = 0; i < 100; i++) {
      conflicts.add(
          new PodConflictEntry(
              Arrays.asList(new String[100]).stream().map(x -> profile).toList(),
              "finTimeoutSeconds",
              names));
    }
    List<PodRuleResult> rules = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      rules.add(new PodRuleResult(profile, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE));
    }
    return new PodRulesStatus(entries, drift, failed, conflicts, rules);
  }

  private static TcpTeardownNodeStatus compose(
      AgentState state, List<SweepSummarizer.PodInput> pods, Optional<PodRulesStatus> tuning) {
    LatestCount count =
        new LatestCount(
                new NodeObservation(
                    Map.of(ManagedSysctl.MAX_TW_BUCKETS, 1L, ManagedSysctl.MAX_ORPHANS, 1L),
                    new StateCounts(
                        Long.MAX_VALUE,
                        Long.MAX_VALUE,
                        Long.MAX_VALUE,
                        Long.MAX_VALUE,
                        Long.MAX_VALUE,
                        Long.MAX_VALUE,
                        Long.MAX_VALUE),
                    new KernelCounters(Long.MAX_VALUE, Long.MAX_VALUE),
                    "netlink"),
                NOW.minusSeconds(600),
                null)
            .failed("\n\u001b[2K" + "c".repeat(100_000));
    return COMPOSER.compose(state, count, Optional.of(sweep(pods)), tuning, List.of(), NOW);
  }

  private static int bytes(TcpTeardownNodeStatus status) throws Exception {
    return JSON.writeValueAsBytes(status).length;
  }

  private static void assertSafe(TcpTeardownNodeStatus status) throws Exception {
    String json = JSON.writeValueAsString(status);
    assertThat(bytes(status)).isLessThanOrEqualTo(TcpTeardownNodeStatus.MAX_BYTES);
    // JSON escapes control characters as \\uXXXX (\\n, \\t...): none may be there at all
    assertThat(json).doesNotContain("\\u00", "\\n", "\\t", "\\r", "\u007f");
    assertThat(json.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
    for (Condition condition : status.conditions()) {
      assertThat(condition.getMessage().length()).isLessThanOrEqualTo(Conditions.MAX_MESSAGE);
    }
    assertThat(status.pods().size()).isLessThanOrEqualTo(TcpTeardownNodeStatus.MAX_PODS);
    for (PodTeardownEntry entry : status.pods()) {
      if (entry.closeWaitHolders() != null) {
        assertThat(entry.closeWaitHolders().size())
            .isLessThanOrEqualTo(PodTeardownEntry.MAX_HOLDERS);
      }
    }
  }

  private static String leakMessage(TcpTeardownNodeStatus status) {
    Condition leak =
        Conditions.find(status.conditions(), NodeConditions.CLOSE_WAIT_LEAK).orElseThrow();
    assertThat(leak.getStatus()).isEqualTo(Conditions.TRUE);
    return leak.getMessage();
  }

  @Test
  void twoThousandHoldersInOnePodAreFiveListedTheCountExactAndAndNMore() throws Exception {
    TcpTeardownNodeStatus status =
        compose(AgentState.initial(0), List.of(leakingPod(1, 2_001, 253)), Optional.empty());

    assertSafe(status);
    PodTeardownEntry entry = status.pods().getFirst();
    assertThat(entry.closeWaitHolders()).hasSize(PodTeardownEntry.MAX_HOLDERS);
    assertThat(entry.closeWaitHolderCount()).isEqualTo(2_001L);
    assertThat(entry.closeWaitHolders().getFirst().command())
        .isEqualTo("\\x1b[2J\\x1b]0;\\x07\\x0a\\x7f\\xc3\\x83(\\x00\\x01");
    assertThat(leakMessage(status)).contains("and 1996 more processes").doesNotContain("\u001b");
    assertThat(bytes(status)).isLessThan(16 * 1024);
  }

  @Test
  void a110LeakingPodsNodeListsEveryPodCountsThemAndSaysHowManyMoreInItsMessage() throws Exception {
    List<SweepSummarizer.PodInput> pods = new ArrayList<>();
    for (int i = 0; i < 110; i++) {
      pods.add(leakingPod(i, 1, 253));
    }
    TcpTeardownNodeStatus status = compose(AgentState.initial(0), pods, Optional.empty());

    assertSafe(status);
    assertThat(status.podNamespaces()).isEqualTo(110);
    assertThat(status.pods()).hasSize(110);
    assertThat(status.podsTruncated()).isNull();
    String message = leakMessage(status);
    assertThat(message).endsWith("more pods");
    int shown = message.split("CLOSE_WAIT sockets and").length - 1;
    assertThat(message).contains("; and " + (110 - shown) + " more pods");
  }

  /**
   * The largest status this test can make an agent compose: 110 leaking pods of 2,000 holders each,
   * every field at its longest.
   */
  static TcpTeardownNodeStatus worst() {
    List<SweepSummarizer.PodInput> pods = new ArrayList<>();
    for (int i = 0; i < 110; i++) {
      pods.add(leakingPod(i, 2_000, 253));
    }
    return compose(troubled(), pods, Optional.of(tuning(pods)))
        .withAdvice(worstAdvice(), AdviceBook.MAX_SCOPES * ManagedSysctl.values().length);
  }

  /** As many advice entries as status.advice's 32 KiB hold, every field at its longest. */
  private static List<AdviceEntry> worstAdvice() {
    List<AdviceEntry> listed = new ArrayList<>();
    int bytes = 0;
    for (AdviceEntry entry : longestAdvice()) {
      bytes += entry.worstJsonBytes();
      if (bytes > AdviceEntry.MAX_BYTES) {
        break;
      }
      listed.add(entry);
    }
    return listed;
  }

  private static List<AdviceEntry> longestAdvice() {
    String escaped = "\u001b\"";
    List<AdviceEntry> entries = new ArrayList<>();
    for (int i = 0; i < AdviceEntry.MAX_ENTRIES; i++) {
      entries.add(
          new AdviceEntry(
              AdviceEntry.SCOPE_HOST_NETWORK,
              SafeText.of(escaped.repeat(64), AdviceEntry.MAX_NAMESPACE),
              SafeText.of(escaped.repeat(256), AdviceEntry.MAX_NAME),
              "m".repeat(AdviceEntry.MAX_FIELD),
              "9".repeat(AdviceEntry.MAX_VALUE),
              "9".repeat(AdviceEntry.MAX_VALUE),
              "r".repeat(AdviceEntry.MAX_REASON),
              SafeText.of(escaped.repeat(512), AdviceEntry.MAX_MESSAGE),
              "t".repeat(AdviceEntry.MAX_TIME),
              SafeText.of(escaped.repeat(256), AdviceEntry.MAX_NAME)));
    }
    return entries;
  }

  @Test
  void bothAtOnceWithEveryFieldAtItsLongestStaysUnderTheBound() throws Exception {
    TcpTeardownNodeStatus status = worst();

    assertSafe(status);
    int size = bytes(status);
    System.out.printf(
        "worst node status: %,d bytes (bound %,d); pods listed %d of %d, pods JSON %,d bytes%n",
        size,
        TcpTeardownNodeStatus.MAX_BYTES,
        status.pods().size(),
        status.podNamespaces(),
        JSON.writeValueAsBytes(status.pods()).length);
    assertThat(status.podNamespaces()).isEqualTo(110);
    assertThat(status.podsTruncated()).isTrue();
    assertThat(JSON.writeValueAsBytes(status.pods()).length)
        .isLessThanOrEqualTo(AgentStatusComposer.MAX_POD_BYTES);
    assertThat(status.pods().getFirst().closeWaitHolderCount()).isEqualTo(2_000L);
    assertThat(status.podConflicts()).hasSize(PodConflictEntry.MAX_CONFLICTS);
    assertThat(status.podRules()).hasSize(PodRuleResult.MAX_RULES);
    assertThat(status.countError().length())
        .isLessThanOrEqualTo(TcpTeardownNodeStatus.MAX_COUNT_ERROR);
    assertThat(leakMessage(status)).contains("more pods");
    assertThat(JSON.writeValueAsBytes(status.advice()).length)
        .isLessThanOrEqualTo(AdviceEntry.MAX_BYTES);
    assertThat(status.advice()).hasSizeGreaterThan(8);
  }

  @Test
  void podsWithTuningErrorsAmongTheSweptOnesAreNotCountedTwice() throws Exception {
    List<SweepSummarizer.PodInput> pods = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pods.add(leakingPod(i, 1, 20));
    }
    PodRulesStatus tuning = tuning(pods);
    List<PodTeardownEntry> failedAmongSwept =
        pods.stream()
            .map(
                p ->
                    new PodTeardownEntry(
                        p.meta().orElseThrow().namespace(),
                        p.meta().orElseThrow().name(),
                        p.meta().orElseThrow().uid(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        Listed.Error,
                        tuning.entries().get(p.meta().orElseThrow().uid())))
            .toList();
    TcpTeardownNodeStatus status =
        compose(
            AgentState.initial(0),
            pods,
            Optional.of(
                new PodRulesStatus(
                    tuning.entries(), Map.of(), failedAmongSwept, List.of(), List.of())));
    assertThat(status.pods()).hasSize(3);
    assertThat(status.podsTruncated()).isNull();
  }

  @Test
  void oneWorstEntryIsWithinItsStatedSize() throws Exception {
    List<SweepSummarizer.PodInput> pods = List.of(leakingPod(1, 2_000, 253));
    PodRulesStatus tuning = tuning(pods);
    SweptPods summary = SweepSummarizer.summarize(pods, 20, NOW);
    PodTeardownEntry entry = tuning.merge(summary.entries()).getFirst();
    int size = JSON.writeValueAsBytes(entry).length;
    System.out.printf("worst status.pods entry: %,d bytes%n", size);
    assertThat(size).isLessThanOrEqualTo(MAX_ENTRY_BYTES);
  }

  /** The largest status.pods entry, as docs/status-bounds.md states it. */
  private static final int MAX_ENTRY_BYTES = 8 * 1024;
}
