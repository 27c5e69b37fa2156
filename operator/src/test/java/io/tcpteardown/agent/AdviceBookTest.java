package io.tcpteardown.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.rules.advice.AdviceReason;
import io.tcpteardown.rules.advice.Destination;
import io.tcpteardown.rules.advice.DestinationCount;
import io.tcpteardown.rules.advice.NamespaceEvidence;
import io.tcpteardown.rules.advice.PortRange;
import io.tcpteardown.tier.UnitTest;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

@UnitTest
class AdviceBookTest {
  private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

  /** A namespace whose ports toward one upstream are past half the range, reuse off. */
  private static NamespaceEvidence portsExhausting() {
    Map<ManagedSysctl, Long> current = new EnumMap<>(ManagedSysctl.class);
    current.put(ManagedSysctl.TW_REUSE, 0L);
    current.put(ManagedSysctl.TIMESTAMPS, 1L);
    current.put(ManagedSysctl.MAX_TW_BUCKETS, 131072L);
    return new NamespaceEvidence(
        current,
        new PortRange(40000, 40999, 0),
        List.of(
            new DestinationCount(
                new Destination(Destination.Family.IPV4, "10.0.0.1", "10.0.0.9", 443), 800)),
        0,
        false,
        800,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        null);
  }

  private static NamespaceEvidence quiet() {
    return new NamespaceEvidence(
        Map.of(ManagedSysctl.TW_REUSE, 0L),
        new PortRange(40000, 40999, 0),
        List.of(),
        0,
        false,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        null);
  }

  private static void threeReports(AdviceBook book, AdviceBook.Scope scope, NamespaceEvidence e) {
    for (int i = 0; i < 3; i++) {
      book.record(scope, e, T0.plusSeconds(60L * i));
    }
  }

  @Test
  void theNodesAdviceComesFirstNamesItsProfileAndPodsFollowByName() {
    AdviceBook book = new AdviceBook();
    threeReports(book, AdviceBook.Scope.pod("u2", "shop", "web-2"), portsExhausting());
    threeReports(book, AdviceBook.Scope.pod("u1", "shop", "web-1"), portsExhausting());
    threeReports(book, AdviceBook.Scope.HOST_NETWORK, portsExhausting());
    AdviceBook.Shown shown = book.shown(Map.of("twReuse", "base"), true);
    assertThat(shown.count()).isEqualTo(3);
    assertThat(shown.entries())
        .extracting(e -> e.scope() + "/" + e.pod() + "/" + e.profile())
        .containsExactly("HostNetwork/null/base", "Pod/web-1/null", "Pod/web-2/null");
    AdviceEntry node = shown.entries().get(0);
    assertThat(node.field()).isEqualTo("twReuse");
    assertThat(node.current()).isEqualTo("Disabled");
    assertThat(node.suggested()).isEqualTo("Enabled");
    assertThat(node.reason()).isEqualTo("PortsTowardOneDestination");
    assertThat(node.since()).isEqualTo(T0.toString());
  }

  @Test
  void aPodsAdviceNamesTheProfileWhosePodRuleSetsTheFieldInThatPod() {
    AdviceBook book = new AdviceBook();
    threeReports(book, AdviceBook.Scope.pod("u1", "shop", "web-1"), portsExhausting());
    threeReports(book, AdviceBook.Scope.pod("u2", "shop", "web-2"), portsExhausting());
    AdviceBook.Shown shown =
        book.shown(
            Map.of("twReuse", "node-profile"), Map.of("u1", Map.of("twReuse", "pods")), true);
    assertThat(shown.entries())
        .extracting(e -> e.pod() + "/" + e.profile())
        .containsExactly("web-1/pods", "web-2/null");
  }

  @Test
  void theNodesAnnotationTurnsAdviceOff() {
    AdviceBook book = new AdviceBook();
    threeReports(book, AdviceBook.Scope.HOST_NETWORK, portsExhausting());
    assertThat(book.shown(Map.of(), false)).isEqualTo(new AdviceBook.Shown(List.of(), 0, Map.of()));
  }

  @Test
  void entriesAreBoundedAndTheCountSaysHowManyThereAre() {
    AdviceBook book = new AdviceBook();
    for (int pod = 0; pod < 50; pod++) {
      threeReports(book, AdviceBook.Scope.pod("u" + pod, "ns", "p" + pod), portsExhausting());
    }
    AdviceBook.Shown shown = book.shown(Map.of(), true);
    assertThat(shown.entries()).hasSize(AdviceEntry.MAX_ENTRIES);
    assertThat(shown.count()).isEqualTo(50);
  }

  @Test
  void hostileLongPodNamesFillAtMost32KibOfJsonAndEachEntryStaysWithinItsWorstSize()
      throws Exception {
    AdviceBook book = new AdviceBook();
    String hostile = "\u001b\"\\\n".repeat(100);
    for (int pod = 0; pod < 50; pod++) {
      threeReports(
          book, AdviceBook.Scope.pod("u" + pod, hostile + pod, hostile + pod), portsExhausting());
    }
    AdviceBook.Shown shown = book.shown(Map.of(), true);
    ObjectMapper json = new ObjectMapper();
    assertThat(json.writeValueAsBytes(shown.entries()).length)
        .isLessThanOrEqualTo(AdviceEntry.MAX_BYTES);
    assertThat(shown.entries()).hasSizeLessThan(AdviceEntry.MAX_ENTRIES).isNotEmpty();
    assertThat(shown.count()).isEqualTo(50);
    for (AdviceEntry entry : shown.entries()) {
      assertThat(json.writeValueAsBytes(entry).length).isLessThanOrEqualTo(entry.worstJsonBytes());
      assertThat(entry.pod())
          .hasSizeLessThanOrEqualTo(AdviceEntry.MAX_NAME)
          .doesNotContain("\u001b");
    }
  }

  @Test
  void costlySweepsAdviseChildEhashAfterTheNodesOwnAdviceSinceTheFirstSweepThatSaidSo() {
    AdviceBook book = new AdviceBook();
    threeReports(book, AdviceBook.Scope.HOST_NETWORK, portsExhausting());
    threeReports(book, AdviceBook.Scope.pod("u1", "shop", "web-1"), portsExhausting());
    book.sweepCost(Optional.of("the last pod sweep used 900 ms"), 0L, 65536, T0);
    book.sweepCost(Optional.of("the last pod sweep used 950 ms"), 0L, 65536, T0.plusSeconds(30));
    AdviceBook.Shown shown = book.shown(Map.of("childEhashEntries", "pods-own-tables"), true);
    assertThat(shown.entries())
        .extracting(e -> e.scope() + "/" + e.field())
        .containsExactly("HostNetwork/twReuse", "HostNetwork/childEhashEntries", "Pod/twReuse");
    AdviceEntry ehash = shown.entries().get(1);
    assertThat(ehash.current()).isEqualTo("0");
    assertThat(ehash.suggested()).isEqualTo("65536");
    assertThat(ehash.reason()).isEqualTo("SharedHashTableCostly");
    assertThat(ehash.message()).isEqualTo("the last pod sweep used 950 ms");
    assertThat(ehash.since()).isEqualTo(T0.toString());
    assertThat(ehash.profile()).isEqualTo("pods-own-tables");
    assertThat(shown.tally())
        .containsEntry(
            new AdviceBook.Tally(
                AdviceEntry.SCOPE_HOST_NETWORK, AdviceReason.SharedHashTableCostly),
            1);

    book.sweepCost(Optional.empty(), 65536L, 65536, T0.plusSeconds(60));
    assertThat(book.shown(Map.of(), true).entries())
        .noneMatch(e -> e.field().equals("childEhashEntries"));
  }

  @Test
  void goneEvidenceAndGonePodsLeaveTheBook() {
    AdviceBook book = new AdviceBook();
    threeReports(book, AdviceBook.Scope.HOST_NETWORK, portsExhausting());
    threeReports(book, AdviceBook.Scope.pod("u1", "shop", "web-1"), portsExhausting());
    book.retainPods(Set.of());
    assertThat(book.shown(Map.of(), true).count()).isEqualTo(1);
    threeReports(book, AdviceBook.Scope.HOST_NETWORK, quiet());
    assertThat(book.shown(Map.of(), true).count()).isZero();
  }
}
