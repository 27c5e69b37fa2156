package io.tcpteardown.operator;

import static io.tcpteardown.api.ProfileConditions.*;

import io.fabric8.kubernetes.api.model.Condition;
import io.tcpteardown.api.Conditions;
import io.tcpteardown.api.HeldBackSetting;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeConditions;
import io.tcpteardown.api.ProfileNodeEntry;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.StateCounts;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileStatus;
import io.tcpteardown.rules.HealthSummary;
import io.tcpteardown.rules.NodeFacts;
import io.tcpteardown.rules.NodeResolution;
import io.tcpteardown.rules.PressureRule;
import io.tcpteardown.rules.ProfileValidation;
import io.tcpteardown.rules.Resolver;
import io.tcpteardown.rules.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Computes a profile's status from every profile, every node and every TcpTeardownNode status.
 * Anything the API server admits in those statuses is taken without throwing. The pressure tracker
 * keeps only nodes that still have both a Node and a TcpTeardownNode.
 */
public final class ProfileStatusCalculator {
  public static final int MAX_NODE_ENTRIES = 100;
  private static final int MAX_NAMES_IN_MESSAGE = 5;

  /**
   * Characters of a node's pod condition copied into a profile's message at most: a node's message
   * names its tenants' pods and processes.
   */
  static final int MAX_NODE_MESSAGE = 512;

  private final PressureTracker pressureTracker;

  public ProfileStatusCalculator(PressureTracker pressureTracker) {
    this.pressureTracker = pressureTracker;
  }

  public TcpTeardownProfileStatus compute(
      TcpTeardownProfile profile,
      Collection<TcpTeardownProfile> allProfiles,
      Collection<NodeFacts> nodes,
      Map<String, TcpTeardownNode> nodeObjects,
      Instant now) {
    Map<String, Boolean> rising = observe(nodes, nodeObjects);
    String name = profile.getMetadata().getName();
    List<Violation> violations = ProfileValidation.validate(profile);
    boolean accepted = violations.isEmpty();
    boolean podRule = accepted && Resolver.podRule(profile).isPresent();
    List<NodeContribution> contributions =
        nodes.stream()
            .filter(n -> Resolver.selects(profile, n))
            .sorted(Comparator.comparing(NodeFacts::name))
            .map(
                node -> {
                  TcpTeardownNode object = nodeObjects.get(node.name());
                  return contribution(
                      name,
                      podRule,
                      node.name(),
                      accepted ? Resolver.resolve(node, allProfiles) : null,
                      object == null ? null : object.getStatus(),
                      rising.getOrDefault(node.name(), false));
                })
            .toList();
    return assemble(
        profile, profile.getStatus(), violations, contributions, AgentSilence.NONE, now);
  }

  /**
   * Shows the pressure tracker every node's latest report: it forgets the nodes that lack a Node or
   * a TcpTeardownNode and answers, per node that has both, whether its counters rose between its
   * last two reports.
   */
  public Map<String, Boolean> observe(
      Collection<NodeFacts> nodes, Map<String, TcpTeardownNode> nodeObjects) {
    Map<String, Boolean> rising = new java.util.HashMap<>();
    java.util.Set<String> present =
        nodes.stream()
            .map(NodeFacts::name)
            .filter(nodeObjects::containsKey)
            .collect(Collectors.toSet());
    pressureTracker.retainOnly(present);
    for (String node : present) {
      rising.put(node, pressureTracker.countersRising(node, nodeObjects.get(node).getStatus()));
    }
    return rising;
  }

  /**
   * What one node the profile selects gives to its status.
   *
   * @param heldBack this profile's settings held back on the node and why (null when none)
   * @param conflicts equal-priority clashes on the node that involve this profile
   * @param pressure the sentence naming the node's teardown trouble (null when none)
   * @param pods the node's part of the profile's pod rules (null without pod rules)
   */
  public record NodeContribution(
      String node,
      StateCounts states,
      boolean applied,
      String heldBack,
      List<NodeResolution.FieldConflict> conflicts,
      String pressure,
      ProfilePodStatus.Part pods,
      String error) {}

  /**
   * @param resolution the node's resolution over every profile, null when the profile is rejected
   * @param rising whether the node's overflow counters rose between its last two reports
   */
  public static NodeContribution contribution(
      String profile,
      boolean podRule,
      String node,
      NodeResolution resolution,
      TcpTeardownNodeStatus status,
      boolean rising) {
    StateCounts states = counts(status);
    boolean applied = false;
    String heldBack = null;
    List<NodeResolution.FieldConflict> conflicts = List.of();
    String pressure = null;
    if (resolution != null) {
      applied = appliedOnNode(profile, resolution, status);
      heldBack =
          resolution.heldBack().stream()
              .filter(h -> h.profile().equals(profile))
              .map(HeldBackSetting::reason)
              .collect(Collectors.joining("; "));
      if (heldBack.isEmpty()) {
        heldBack = null;
      }
      conflicts =
          resolution.conflicts().stream()
              .filter(c -> c.winner().equals(profile) || c.loser().equals(profile))
              .toList();
      pressure = pressureReason(node, status, rising).orElse(null);
    }
    return new NodeContribution(
        node,
        states,
        applied,
        heldBack,
        conflicts,
        pressure,
        podRule ? ProfilePodStatus.part(profile, node, status) : null,
        resolution == null || applied ? null : agentError(status));
  }

  /** The agent's Error=True message, cut to a bound (the agent's text), when it reports one. */
  private static String agentError(TcpTeardownNodeStatus status) {
    if (status == null) {
      return null;
    }
    return Conditions.find(status.conditions(), io.tcpteardown.api.NodeConditions.ERROR)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()))
        .map(c -> String.valueOf(c.getMessage()))
        .map(m -> m.length() > MAX_ERROR_MESSAGE ? m.substring(0, MAX_ERROR_MESSAGE) + "…" : m)
        .orElse(null);
  }

  /** How much of a node's Error message the profile's Stalled message repeats. */
  static final int MAX_ERROR_MESSAGE = 200;

  /**
   * The profile's status from the contributions of the nodes it selects, sorted by node name.
   *
   * @param previous the status stored now, whose conditions keep their transition times
   * @param violations the profile's safety violations (empty when accepted)
   */
  public static TcpTeardownProfileStatus assemble(
      TcpTeardownProfile profile,
      TcpTeardownProfileStatus previous,
      List<Violation> violations,
      Collection<NodeContribution> selected,
      AgentSilence silence,
      Instant now) {
    String name = profile.getMetadata().getName();
    Long generation = profile.getMetadata().getGeneration();
    boolean accepted = violations.isEmpty();

    StateCounts totals = StateCounts.ZERO;
    List<ProfileNodeEntry> entries = new ArrayList<>();
    List<String> notApplied = new ArrayList<>();
    List<String> pressure = new ArrayList<>();
    List<String> heldBackMessages = new ArrayList<>();
    Map<String, ConflictSummary> conflicts = new TreeMap<>();
    List<ProfilePodStatus.Part> podParts = new ArrayList<>();
    List<String> silentNodes = new ArrayList<>();
    List<String> erroredNodes = new ArrayList<>();

    for (NodeContribution node : selected) {
      if (silence.silent(node.node(), now)) {
        silentNodes.add(node.node());
      }
      if (node.error() != null) {
        erroredNodes.add(node.node() + " (" + node.error() + ")");
      }
      StateCounts states = node.states();
      totals = saturatingSum(totals, states);
      if (node.heldBack() != null) {
        heldBackMessages.add(node.node() + ": " + node.heldBack());
      }
      for (NodeResolution.FieldConflict conflict : node.conflicts()) {
        String other = conflict.winner().equals(name) ? conflict.loser() : conflict.winner();
        conflicts.computeIfAbsent(
                other + "/" + conflict.field(),
                k -> new ConflictSummary(other, conflict.field(), conflict.winner()))
            .nodes++;
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
        entries.add(
            new ProfileNodeEntry(
                node.node(),
                node.applied(),
                states.finWait1(),
                states.finWait2(),
                states.timeWait(),
                states.closeWait(),
                states.lastAck(),
                states.closing(),
                states.orphans(),
                node.heldBack()));
      }
    }
    int selectedCount = selected.size();
    int appliedCount = selectedCount - notApplied.size();
    java.util.Optional<io.tcpteardown.api.NodePodRule> podRule =
        accepted ? Resolver.podRule(profile) : java.util.Optional.empty();
    ProfilePodStatus pods = null;
    if (podRule.isPresent()) {
      pods = ProfilePodStatus.combine(podParts);
      for (String message : pods.conflicts()) {
        conflicts.put("~pods/" + conflicts.size(), podConflict(message));
      }
    }
    List<Condition> next = new ArrayList<>();
    next.add(
        accepted
            ? Conditions.of(
                ACCEPTED, true, REASON_VALID, "The profile passes every safety rule.", generation)
            : Conditions.of(
                ACCEPTED,
                false,
                violations.getFirst().rule(),
                "Rejected, applied to no node: "
                    + violations.stream().map(Violation::message).collect(Collectors.joining(" ")),
                generation));
    Condition applied =
        appliedCondition(accepted, selectedCount, appliedCount, notApplied, generation);
    if (pods != null && accepted && selectedCount > 0) {
      applied = withPods(applied, pods, podRule.get().mode(), generation);
    }
    next.add(applied);
    next.add(
        conflicts.isEmpty()
            ? Conditions.of(
                CONFLICT,
                false,
                REASON_NO_CONFLICT,
                "No profile of equal priority sets a field differently.",
                generation)
            : Conditions.of(
                CONFLICT,
                true,
                REASON_EQUAL_PRIORITY_CLASH,
                SafeText.joinWithin(
                    conflicts.values().stream().map(ConflictSummary::message).toList(),
                    " ",
                    Integer.MAX_VALUE,
                    Conditions.MAX_MESSAGE,
                    " conflicts."),
                generation));
    next.add(
        pressure.isEmpty()
            ? Conditions.of(
                TEARDOWN_PRESSURE,
                false,
                REASON_NO_PRESSURE,
                "No selected node shows teardown trouble.",
                generation)
            : Conditions.of(
                TEARDOWN_PRESSURE,
                true,
                REASON_TEARDOWN_PRESSURE,
                summarizeNodes(pressure),
                generation));
    next.add(
        heldBackMessages.isEmpty()
            ? Conditions.of(
                HELD_BACK,
                false,
                REASON_NOTHING_HELD_BACK,
                "Every winning setting is given to its nodes.",
                generation)
            : Conditions.of(
                HELD_BACK,
                true,
                REASON_MAX_ORPHANS_HELD_BACK,
                summarize(heldBackMessages),
                generation));
    next.addAll(HealthSummary.forProfile(next, silentNodes, erroredNodes, generation));

    return new TcpTeardownProfileStatus(
        generation,
        Conditions.carryTransitionTimes(wellFormed(previous), next, now),
        selectedCount,
        appliedCount,
        totals,
        entries,
        selectedCount > MAX_NODE_ENTRIES ? Boolean.TRUE : null,
        pods == null ? null : pods.summary());
  }

  /** Applied covers pods too: True only when the pods' values hold as well. */
  private static Condition withPods(
      Condition nodes, ProfilePodStatus pods, io.tcpteardown.api.PodMode mode, Long generation) {
    if (pods.applied(mode)) {
      return nodes;
    }
    String reason =
        pods.withoutFeature().isEmpty() ? REASON_PODS_NOT_APPLIED : REASON_AGENT_WITHOUT_POD_RULES;
    String message = "Pods: " + pods.notAppliedMessage(mode) + ".";
    if (Conditions.TRUE.equals(nodes.getStatus())) {
      return Conditions.of(APPLIED, false, reason, nodes.getMessage() + " " + message, generation);
    }
    return Conditions.of(
        APPLIED, false, nodes.getReason(), nodes.getMessage() + " " + message, generation);
  }

  private static ConflictSummary podConflict(String message) {
    return new ConflictSummary(message);
  }

  /** Every field this profile won on the node reads back from the kernel as the value asked for. */
  static boolean appliedOnNode(
      String profile, NodeResolution resolution, TcpTeardownNodeStatus status) {
    if (!resolution.profiles().contains(profile)) {
      return false;
    }
    for (ManagedSysctl sysctl : ManagedSysctl.values()) {
      if (!profile.equals(resolution.sources().get(sysctl.field()))) {
        continue;
      }
      Long wanted = resolution.settings().sysctlValue(sysctl);
      String reported =
          status == null || status.applied() == null ? null : status.applied().get(sysctl.key());
      if (reported == null || !reported.strip().equals(String.valueOf(wanted))) {
        return false;
      }
    }
    return true;
  }

  private static java.util.Optional<String> pressureReason(
      String node, TcpTeardownNodeStatus status, boolean rising) {
    if (status == null) {
      return java.util.Optional.empty();
    }
    List<String> reasons = new ArrayList<>();
    // The node's limits bound the node's own namespace: compare them with its own counts (the
    // whole-node states add every pod's, which live under their own limits), orphans node-wide.
    StateCounts whole = counts(status);
    StateCounts states =
        status.hostStates() == null
            ? whole
            : new StateCounts(
                0, 0, Math.max(0, status.hostStates().timeWait()), 0, 0, 0, whole.orphans());
    Long maxTw = nodeValue(status, ManagedSysctl.MAX_TW_BUCKETS);
    if (nearLimit(states.timeWait(), maxTw)) {
      reasons.add(
          "TIME_WAIT "
              + states.timeWait()
              + " is at or above "
              + PressureRule.PERCENT
              + "% of tcp_max_tw_buckets "
              + maxTw);
    }
    Long maxOrphans = nodeValue(status, ManagedSysctl.MAX_ORPHANS);
    if (nearLimit(states.orphans(), maxOrphans)) {
      reasons.add(
          "orphans "
              + states.orphans()
              + " are at or above "
              + PressureRule.PERCENT
              + "% of tcp_max_orphans "
              + maxOrphans);
    }
    if (rising && status.counters() != null) {
      reasons.add(
          "TCPTimeWaitOverflow or TCPAbortOnMemory rose since the previous report ("
              + status.counters().timeWaitOverflow()
              + ", "
              + status.counters().abortOnMemory()
              + ")");
    }
    // Pods: the agent judges each pod namespace against its own limits and names the pod.
    podCondition(status, NodeConditions.TEARDOWN_PRESSURE, NodeConditions.REASON_POD_PRESSURE)
        .ifPresent(reasons::add);
    podCondition(status, NodeConditions.CLOSE_WAIT_LEAK, NodeConditions.REASON_LEAK_SUSPECTED)
        .ifPresent(reasons::add);
    return reasons.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(node + ": " + String.join(", ", reasons) + ".");
  }

  /** The message of a node condition that is True for the given reason, about its pods. */
  private static java.util.Optional<String> podCondition(
      TcpTeardownNodeStatus status, String type, String reason) {
    return Conditions.find(status.conditions(), type)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()) && reason.equals(c.getReason()))
        .map(c -> SafeText.of(c.getMessage() == null ? reason : c.getMessage(), MAX_NODE_MESSAGE));
  }

  static boolean nearLimit(long count, Long limit) {
    return limit != null && PressureRule.reached(count, limit);
  }

  /** A node's state counts as its agent reports them, a negative count (none is) taken as 0. */
  static StateCounts counts(TcpTeardownNodeStatus status) {
    StateCounts s = status == null ? null : status.states();
    if (s == null) {
      return StateCounts.ZERO;
    }
    return new StateCounts(
        Math.max(0, s.finWait1()),
        Math.max(0, s.finWait2()),
        Math.max(0, s.timeWait()),
        Math.max(0, s.closeWait()),
        Math.max(0, s.lastAck()),
        Math.max(0, s.closing()),
        Math.max(0, s.orphans()));
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

  /**
   * The previous conditions fit to carry transition times from: anyone with status access can store
   * a condition without type or status, which then counts as absent.
   */
  private static List<Condition> wellFormed(TcpTeardownProfileStatus previous) {
    if (previous == null || previous.conditions() == null) {
      return List.of();
    }
    return previous.conditions().stream()
        .filter(c -> c != null && c.getType() != null && c.getStatus() != null)
        .toList();
  }

  /**
   * The node's current value of a sysctl as its agent reports it: applied if managed, else
   * original.
   */
  private static Long nodeValue(TcpTeardownNodeStatus status, ManagedSysctl sysctl) {
    String value = status.applied() == null ? null : status.applied().get(sysctl.key());
    if (value == null && status.original() != null) {
      value = status.original().get(sysctl.key());
    }
    try {
      return value == null ? null : Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Condition appliedCondition(
      boolean accepted, int selected, int applied, List<String> notApplied, Long generation) {
    if (!accepted) {
      return Conditions.of(
          APPLIED,
          false,
          REASON_NOT_ACCEPTED,
          "The profile is rejected; see Accepted.",
          generation);
    }
    if (selected == 0) {
      return Conditions.of(
          APPLIED,
          false,
          REASON_NO_NODES_SELECTED,
          "The nodeSelector matches no node.",
          generation);
    }
    if (applied == selected) {
      return Conditions.of(
          APPLIED,
          true,
          REASON_ALL_NODES_APPLIED,
          "All " + selected + " selected nodes report this profile's values applied.",
          generation);
    }
    return Conditions.of(
        APPLIED,
        false,
        REASON_PENDING,
        applied
            + " of "
            + selected
            + " selected nodes report this profile's values applied; not yet: "
            + summarize(notApplied),
        generation);
  }

  /**
   * At most {@value #MAX_NAMES_IN_MESSAGE} per-node sentences and how many more nodes: a message
   * naming every node under pressure outgrows what etcd accepts in exactly the incident it reports.
   */
  static String summarizeNodes(List<String> sentences) {
    // room for " And N more nodes." with any int N
    int room = Conditions.MAX_MESSAGE - 32;
    StringBuilder shown = new StringBuilder();
    int count = 0;
    for (String sentence : sentences) {
      String piece = count == 0 ? SafeText.cap(sentence, room) : " " + sentence;
      if (count == MAX_NAMES_IN_MESSAGE || shown.length() + piece.length() > room) {
        break;
      }
      shown.append(piece);
      count++;
    }
    int more = sentences.size() - count;
    return more > 0
        ? shown + " And " + more + (more == 1 ? " more node." : " more nodes.")
        : shown.toString();
  }

  private static String summarize(List<String> items) {
    String shown =
        String.join(", ", items.subList(0, Math.min(items.size(), MAX_NAMES_IN_MESSAGE)));
    return items.size() > MAX_NAMES_IN_MESSAGE
        ? shown + " and " + (items.size() - MAX_NAMES_IN_MESSAGE) + " more"
        : shown;
  }

  private static final class ConflictSummary {
    private final String other;
    private final String field;
    private final String winner;
    private final String podMessage;
    private int nodes;

    ConflictSummary(String other, String field, String winner) {
      this.other = other;
      this.field = field;
      this.winner = winner;
      this.podMessage = null;
    }

    /** A conflict among pod rules, as one node's agent reported it. */
    ConflictSummary(String podMessage) {
      this.other = null;
      this.field = null;
      this.winner = null;
      this.podMessage = podMessage;
    }

    String message() {
      if (podMessage != null) {
        return podMessage;
      }
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
}
