package io.tcpteardown.rules.advice;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.AdviceEntry;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.ProfilePods;
import io.tcpteardown.api.SafeText;
import io.tcpteardown.api.SettingRanges;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.api.Timestamps;
import io.tcpteardown.api.TwReuse;
import io.tcpteardown.rules.LabelSelectors;
import io.tcpteardown.rules.ProfileValidation;
import io.tcpteardown.rules.Violation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns the advice of nodes and pods into profiles ready to apply: pure, so that {@code
 * tcp-teardown advise} feeds it what it read from the cluster and {@code advise --local} what it
 * computed on this machine.
 *
 * <p>One profile per (scope, field, suggested value): HostNetwork advice becomes the field at the
 * top level of a profile whose nodeSelector is {@code kubernetes.io/hostname In [the nodes]}; Pod
 * advice becomes the field with a {@code spec.pods} rule selecting the pods' namespaces by {@code
 * kubernetes.io/metadata.name} and the pods by their labels (see {@link #podSelector}). A group
 * past a selector's bound (16 values, 16 items) is split into several profiles. Every profile made
 * is checked by the one validation path ({@link ProfileValidation#validateDocument}) and printed
 * only if accepted; advice that cannot become a valid profile is named in a note.
 */
public final class AdviceProfiles {
  /** The node label the nodeSelector names nodes by (the kubelet sets it to the node's name). */
  public static final String HOSTNAME_LABEL = "kubernetes.io/hostname";

  /** The namespace label the pods' namespaceSelector uses (the agent sets it on 1.20 too). */
  public static final String NAMESPACE_LABEL = "kubernetes.io/metadata.name";

  /** Evidence lines per profile at most, then "... and N more". */
  public static final int MAX_EVIDENCE = 16;

  /** Characters of one comment line at most. */
  public static final int MAX_COMMENT = 640;

  /** Notes at most (advice not turned into a profile and why), then "... and N more". */
  public static final int MAX_NOTES = 64;

  /** A generated profile name's length at most: a DNS label. */
  public static final int MAX_GENERATED_NAME = 63;

  /**
   * Pod labels that differ from one pod of a workload to the next or change at each rollout: never
   * used in a selector (a selector on them would stop matching at the next rollout).
   */
  public static final Set<String> VOLATILE_LABELS =
      Set.of(
          "pod-template-hash",
          "controller-revision-hash",
          "pod-template-generation",
          "statefulset.kubernetes.io/pod-name",
          "apps.kubernetes.io/pod-index",
          "controller-uid",
          "batch.kubernetes.io/controller-uid");

  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)");
  private static final int VALUES = NodeSelectorRequirement.MAX_VALUES;

  private AdviceProfiles() {}

  /** The labels of a pod, empty when the pod is not known (gone since its node reported). */
  @FunctionalInterface
  public interface PodLabels {
    Optional<Map<String, String>> of(String namespace, String pod);
  }

  /** A profile to print, with the comment lines that carry its evidence (printable ASCII). */
  public record Proposal(TcpTeardownProfile profile, List<String> comments) {
    public Proposal {
      comments = List.copyOf(comments);
    }
  }

  /**
   * The profiles, the notes on advice that became none (printable ASCII, bounded), and whether some
   * advice was refused by the validation path.
   */
  public record Result(List<Proposal> proposals, List<String> notes, boolean refused) {
    public Result {
      proposals = List.copyOf(proposals);
      notes = List.copyOf(notes);
    }
  }

  /** One readable piece of advice about one namespace of one node. */
  record Target(NodeAdvice node, AdviceEntry entry, ManagedSysctl field, Object value) {
    boolean pod() {
      return AdviceEntry.SCOPE_POD.equals(entry.scope());
    }

    String where() {
      return pod() ? entry.namespace() + "/" + entry.pod() + " on " + node.node() : node.node();
    }
  }

  /** The key of a group: scope, field, value. */
  record GroupKey(String scope, ManagedSysctl field, String value) {}

  private static final Comparator<GroupKey> GROUP_ORDER =
      Comparator.comparing((GroupKey k) -> !k.scope().equals(AdviceEntry.SCOPE_HOST_NETWORK))
          .thenComparing(GroupKey::field)
          .thenComparing(GroupKey::value);

  /**
   * Profiles that do what the advice says.
   *
   * @param nodes every node's advice (and labels)
   * @param pods the labels of the pods the advice names
   * @param priorities the priority of each existing profile, by name: a profile made for advice
   *     that names the profile setting the field now gets one more, to win over it
   */
  public static Result advise(
      List<NodeAdvice> nodes, PodLabels pods, Map<String, Integer> priorities) {
    Notes notes = new Notes();
    Map<GroupKey, List<Target>> groups = new TreeMap<>(GROUP_ORDER);
    for (Target target : readable(nodes, notes)) {
      if (hostname(target.node()).isEmpty()) {
        notes.add(
            target.where()
                + ": "
                + target.field().field()
                + " not advised: the node has no "
                + HOSTNAME_LABEL
                + " label and its name is not a label value, so no nodeSelector names it alone");
        continue;
      }
      groups
          .computeIfAbsent(
              new GroupKey(target.entry().scope(), target.field(), text(target.value())),
              k -> new ArrayList<>())
          .add(target);
    }
    List<Proposal> proposals = new ArrayList<>();
    boolean refused = false;
    for (Map.Entry<GroupKey, List<Target>> group : groups.entrySet()) {
      List<Built> built =
          group.getKey().scope().equals(AdviceEntry.SCOPE_POD)
              ? podProfiles(group.getKey(), group.getValue(), pods, notes)
              : nodeProfiles(group.getKey(), group.getValue(), priorities);
      for (Built b : built) {
        refused |= !accept(b, proposals, notes);
      }
    }
    return new Result(proposals, notes.list(), refused);
  }

  /**
   * The edit to an existing profile: the advice about the nodes it selects (and, when it has {@code
   * spec.pods}, about their pods), except where another profile sets the field now (editing this
   * one would change nothing there). Per field the value advised on the most nodes and pods wins
   * (at a tie the first in order); the others are named in the notes.
   */
  public static Result forProfile(TcpTeardownProfile profile, List<NodeAdvice> nodes) {
    Notes notes = new Notes();
    String name = profile.getMetadata().getName();
    TcpTeardownProfileSpec spec = profile.getSpec();
    Map<ManagedSysctl, Map<String, List<Target>>> byField = new TreeMap<>();
    for (Target target : readable(nodes, notes)) {
      if (!LabelSelectors.matches(spec.nodeSelector(), target.node().labels())) {
        continue;
      }
      if (target.pod() && spec.pods() == null) {
        notes.add(
            target.where()
                + ": "
                + target.field().field()
                + " advised for the pod, but "
                + name
                + " has no spec.pods: run tcp-teardown advise without --for-profile");
        continue;
      }
      String owner = target.entry().profile();
      if (!target.pod() && owner != null && !owner.equals(name)) {
        notes.add(
            target.where()
                + ": "
                + target.field().field()
                + " is set there by profile "
                + owner
                + ", not "
                + name
                + ": run tcp-teardown advise --for-profile "
                + owner);
        continue;
      }
      byField
          .computeIfAbsent(target.field(), f -> new TreeMap<>())
          .computeIfAbsent(text(target.value()), v -> new ArrayList<>())
          .add(target);
    }
    if (byField.isEmpty()) {
      return new Result(List.of(), notes.list(), false);
    }
    TeardownSettings settings = spec.settings();
    List<String> comments = new ArrayList<>();
    List<Target> evidence = new ArrayList<>();
    for (Map.Entry<ManagedSysctl, Map<String, List<Target>>> field : byField.entrySet()) {
      Map.Entry<String, List<Target>> chosen =
          field.getValue().entrySet().stream()
              .max(
                  Comparator.comparingInt(
                          (Map.Entry<String, List<Target>> e) -> e.getValue().size())
                      .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
              .orElseThrow();
      Object before = settings.fieldValue(field.getKey());
      settings = settings.with(field.getKey(), chosen.getValue().getFirst().value());
      comments.add(
          field.getKey().field()
              + ": "
              + (before == null ? "(not set)" : before)
              + " -> "
              + chosen.getKey()
              + ", advised for "
              + chosen.getValue().size()
              + " namespace(s) of the nodes this profile selects");
      evidence.addAll(chosen.getValue());
      field.getValue().entrySet().stream()
          .filter(e -> e != chosen)
          .forEach(
              e ->
                  notes.add(
                      field.getKey().field()
                          + " "
                          + e.getKey()
                          + " is advised instead for "
                          + e.getValue().stream().map(Target::where).toList()
                          + ": not in this edit (one profile holds one value); run tcp-teardown"
                          + " advise without --for-profile for a profile of their own"));
    }
    TcpTeardownProfileSpec edited =
        new TcpTeardownProfileSpec(
            spec.nodeSelector(),
            spec.priority(),
            settings.orphanRetries(),
            settings.finTimeoutSeconds(),
            settings.maxOrphans(),
            settings.maxTwBuckets(),
            settings.twReuse(),
            settings.timestamps(),
            spec.twRecycle(),
            spec.pods(),
            settings.childEhashEntries());
    ObjectMeta meta = profile.getMetadata();
    Map<String, String> annotations = new TreeMap<>();
    if (meta.getAnnotations() != null) {
      annotations.putAll(meta.getAnnotations());
      annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
    TcpTeardownProfile out =
        profile(
            new ObjectMetaBuilder()
                .withName(name)
                .withLabels(meta.getLabels() == null ? null : new TreeMap<>(meta.getLabels()))
                .withAnnotations(annotations.isEmpty() ? null : annotations)
                .build(),
            edited);
    List<String> header = new ArrayList<>();
    header.add(
        "Edit of TcpTeardownProfile "
            + name
            + ": the whole profile with the advised fields changed; apply it to replace the one"
            + " stored. Its fields apply to the nodes' own namespaces"
            + (spec.pods() == null ? "" : " and to the pods its spec.pods selects")
            + ".");
    header.addAll(comments);
    header.addAll(evidenceLines(evidence));
    List<Proposal> proposals = new ArrayList<>();
    boolean refused = !accept(new Built(out, header), proposals, notes);
    return new Result(proposals, notes.list(), refused);
  }

  /** A profile made, before the validation path has seen it. */
  record Built(TcpTeardownProfile profile, List<String> comments) {}

  private static boolean accept(Built built, List<Proposal> proposals, Notes notes) {
    List<Violation> violations =
        ProfileValidation.validateDocument(AdviceYaml.tree(built.profile())).violations();
    if (violations.isEmpty()) {
      proposals.add(
          new Proposal(
              built.profile(), built.comments().stream().map(AdviceProfiles::line).toList()));
      return true;
    }
    notes.add(
        "TcpTeardownProfile "
            + built.profile().getMetadata().getName()
            + " not printed: the validation path refuses it: "
            + violations.stream().map(Violation::message).toList());
    return false;
  }

  /** The entries that can be read: a known scope, a profile field and a value of its type. */
  private static List<Target> readable(List<NodeAdvice> nodes, Notes notes) {
    List<Target> targets = new ArrayList<>();
    for (NodeAdvice node :
        nodes.stream().sorted(Comparator.comparing(n -> String.valueOf(n.node()))).toList()) {
      for (AdviceEntry entry : node.advice()) {
        String scope = entry.scope();
        Optional<ManagedSysctl> field =
            entry.field() == null ? Optional.empty() : ManagedSysctl.byField(entry.field());
        Optional<Object> value = field.flatMap(f -> value(f, entry.suggested()));
        boolean pod = AdviceEntry.SCOPE_POD.equals(scope);
        String problem =
            !pod && !AdviceEntry.SCOPE_HOST_NETWORK.equals(scope)
                ? "scope " + scope + " is neither HostNetwork nor Pod"
                : field.isEmpty()
                    ? "field " + entry.field() + " is not a profile field"
                    : value.isEmpty()
                        ? "suggested value "
                            + entry.suggested()
                            + " is not a value of "
                            + entry.field()
                        : pod && (entry.namespace() == null || entry.pod() == null)
                            ? "a pod's advice without its namespace and name"
                            : pod && field.get().scope() != ManagedSysctl.Scope.NETWORK_NAMESPACE
                                ? field.get().field() + " is the node's, never a pod's"
                                : null;
        if (problem != null) {
          notes.add("node " + node.node() + ": advice skipped: " + problem);
          continue;
        }
        targets.add(new Target(node, entry, field.get(), value.get()));
      }
    }
    return targets;
  }

  /** The suggested text as the profile field's type: the enum's name or a number in range. */
  static Optional<Object> value(ManagedSysctl field, String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          switch (field) {
            case TW_REUSE -> TwReuse.valueOf(text);
            case TIMESTAMPS -> Timestamps.valueOf(text);
            case ORPHAN_RETRIES, FIN_TIMEOUT, MAX_ORPHANS, MAX_TW_BUCKETS, CHILD_EHASH_ENTRIES ->
                Integer.parseInt(text.strip());
          });
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String text(Object value) {
    return value instanceof Enum<?> e ? e.name() : String.valueOf(value);
  }

  /** The value of the node's hostname label, or its name when it has none and is a label value. */
  static Optional<String> hostname(NodeAdvice node) {
    String label = node.labels().get(HOSTNAME_LABEL);
    String value = label != null ? label : node.node();
    return value != null && LABEL_VALUE.matcher(value).matches()
        ? Optional.of(value)
        : Optional.empty();
  }

  private static List<Built> nodeProfiles(
      GroupKey key, List<Target> targets, Map<String, Integer> priorities) {
    List<String> hostnames =
        targets.stream().map(t -> hostname(t.node()).orElseThrow()).distinct().sorted().toList();
    List<Built> built = new ArrayList<>();
    for (int from = 0; from < hostnames.size(); from += VALUES) {
      List<String> part = hostnames.subList(from, Math.min(hostnames.size(), from + VALUES));
      List<Target> members =
          targets.stream().filter(t -> part.contains(hostname(t.node()).orElseThrow())).toList();
      List<String> comments = new ArrayList<>();
      String name = name(key, members, hostnames.size() > VALUES ? from / VALUES + 1 : 0);
      comments.add(
          "TcpTeardownProfile "
              + name
              + ": "
              + key.field().field()
              + " "
              + key.value()
              + " in the node's own network namespace (HostNetwork) of "
              + part.size()
              + " node(s): "
              + String.join(", ", part)
              + (hostnames.size() > VALUES
                  ? " (part "
                      + (from / VALUES + 1)
                      + " of "
                      + ((hostnames.size() + VALUES - 1) / VALUES)
                      + ": a nodeSelector holds at most "
                      + VALUES
                      + " values)"
                  : ""));
      Integer priority = outrank(members, priorities, comments);
      TcpTeardownProfileSpec spec =
          spec(nodeSelector(part), priority, key.field(), members.getFirst().value(), null);
      comments.addAll(evidenceLines(members));
      built.add(new Built(profile(new ObjectMetaBuilder().withName(name).build(), spec), comments));
    }
    return built;
  }

  /**
   * The priority that wins over the profiles that set the field on these nodes now (the highest of
   * them plus one), null when none does.
   */
  private static Integer outrank(
      List<Target> members, Map<String, Integer> priorities, List<String> comments) {
    Set<String> owners = new TreeSet<>();
    members.stream().map(t -> t.entry().profile()).filter(Objects::nonNull).forEach(owners::add);
    if (owners.isEmpty()) {
      return null;
    }
    int highest = -1;
    for (String owner : owners) {
      Integer p = priorities.get(owner);
      if (p == null) {
        comments.add(
            "Profile "
                + owner
                + " sets the field there now but is not found: this profile's priority may not be"
                + " enough to win over it.");
      } else {
        highest = Math.max(highest, p);
      }
    }
    if (highest < 0) {
      return null;
    }
    if (highest >= SettingRanges.PRIORITY_MAX) {
      comments.add(
          "Profile(s) "
              + String.join(", ", owners)
              + " set the field there now at priority "
              + highest
              + ", which no profile outranks: edit them instead (tcp-teardown advise --for-profile"
              + " NAME).");
      return SettingRanges.PRIORITY_MAX;
    }
    comments.add(
        "Priority "
            + (highest + 1)
            + " wins over "
            + String.join(", ", owners)
            + " (priority "
            + highest
            + "), which set(s) the field there now; or edit it instead: tcp-teardown advise"
            + " --for-profile NAME.");
    return highest + 1;
  }

  /** A pod with its stable labels. */
  record PodTarget(Target target, Map<String, String> labels) {
    String namespace() {
      return target.entry().namespace();
    }

    String node() {
      return hostname(target.node()).orElseThrow();
    }
  }

  private static List<Built> podProfiles(
      GroupKey key, List<Target> targets, PodLabels lookup, Notes notes) {
    List<PodTarget> pods = new ArrayList<>();
    for (Target target : targets) {
      Optional<Map<String, String>> labels =
          lookup.of(target.entry().namespace(), target.entry().pod());
      if (labels.isEmpty()) {
        notes.add(
            target.where()
                + ": "
                + key.field().field()
                + " "
                + key.value()
                + " not advised: the pod is not found (gone since its node reported)");
        continue;
      }
      Map<String, String> stable = new TreeMap<>(labels.get());
      stable.keySet().removeAll(VOLATILE_LABELS);
      stable.values().removeIf(v -> !LABEL_VALUE.matcher(v).matches());
      pods.add(new PodTarget(target, stable));
    }
    pods.sort(
        Comparator.comparing(PodTarget::namespace)
            .thenComparing(p -> p.target().entry().pod())
            .thenComparing(PodTarget::node));
    // Families: one, when the pods share label keys; else one per set of keys.
    Map<String, List<PodTarget>> families = new TreeMap<>();
    Set<String> shared = commonKeys(pods);
    if (!shared.isEmpty() || pods.isEmpty()) {
      families.put("", pods);
    } else {
      for (PodTarget pod : pods) {
        families
            .computeIfAbsent(String.join(",", pod.labels().keySet()), k -> new ArrayList<>())
            .add(pod);
      }
    }
    List<List<PodTarget>> chunks = new ArrayList<>();
    for (List<PodTarget> family : families.values()) {
      chunks.addAll(chunks(family, commonKeys(family)));
    }
    List<Built> built = new ArrayList<>();
    int part = 0;
    for (List<PodTarget> chunk : chunks) {
      part++;
      built.add(podProfile(key, chunk, chunks.size() > 1 ? part : 0, families.size() > 1));
    }
    return built;
  }

  private static Set<String> commonKeys(List<PodTarget> pods) {
    Set<String> keys = null;
    for (PodTarget pod : pods) {
      if (keys == null) {
        keys = new TreeSet<>(pod.labels().keySet());
      } else {
        keys.retainAll(pod.labels().keySet());
      }
    }
    return keys == null ? Set.of() : keys;
  }

  /**
   * The pods in order, cut where a part would select more than a selector holds: 16 nodes, 16
   * namespaces, 16 values of one label key.
   */
  private static List<List<PodTarget>> chunks(List<PodTarget> pods, Set<String> keys) {
    List<List<PodTarget>> chunks = new ArrayList<>();
    Chunk current = new Chunk(keys);
    for (PodTarget pod : pods) {
      if (!current.pods.isEmpty() && !current.fits(pod)) {
        chunks.add(current.pods);
        current = new Chunk(keys);
      }
      current.add(pod);
    }
    if (!current.pods.isEmpty()) {
      chunks.add(current.pods);
    }
    return chunks;
  }

  /** A part being filled: what its selectors would hold so far, kept as it grows. */
  private static final class Chunk {
    private final List<PodTarget> pods = new ArrayList<>();
    private final Set<String> nodes = new java.util.HashSet<>();
    private final Set<String> namespaces = new java.util.HashSet<>();
    private final Map<String, Set<String>> values = new java.util.HashMap<>();

    Chunk(Set<String> keys) {
      keys.forEach(k -> values.put(k, new java.util.HashSet<>()));
    }

    boolean fits(PodTarget pod) {
      if (grows(nodes, pod.node()) || grows(namespaces, pod.namespace())) {
        return false;
      }
      for (Map.Entry<String, Set<String>> key : values.entrySet()) {
        if (grows(key.getValue(), pod.labels().get(key.getKey()))) {
          return false;
        }
      }
      return true;
    }

    private static boolean grows(Set<String> set, String value) {
      return set.size() >= VALUES && !set.contains(value);
    }

    void add(PodTarget pod) {
      pods.add(pod);
      nodes.add(pod.node());
      namespaces.add(pod.namespace());
      values.forEach((k, v) -> v.add(pod.labels().get(k)));
    }
  }

  /**
   * The pod selector for pods: their stable labels (all but {@link #VOLATILE_LABELS}) that every
   * one of them has; a key with one value among them in matchLabels, a key with several in an
   * {@code In} expression; at most 16 of each, by key. Empty when they share no key.
   */
  static NodeSelector podSelector(List<Map<String, String>> labels) {
    Set<String> keys = null;
    for (Map<String, String> l : labels) {
      if (keys == null) {
        keys = new TreeSet<>(l.keySet());
      } else {
        keys.retainAll(l.keySet());
      }
    }
    Map<String, String> match = new TreeMap<>();
    List<NodeSelectorRequirement> expressions = new ArrayList<>();
    for (String key : keys == null ? Set.<String>of() : keys) {
      TreeSet<String> values = new TreeSet<>();
      labels.forEach(l -> values.add(l.get(key)));
      if (values.size() == 1 && match.size() < NodeSelector.MAX_LABELS) {
        match.put(key, values.first());
      } else if (values.size() > 1
          && values.size() <= VALUES
          && expressions.size() < NodeSelector.MAX_EXPRESSIONS) {
        expressions.add(new NodeSelectorRequirement(key, "In", List.copyOf(values)));
      }
    }
    if (match.isEmpty() && expressions.isEmpty()) {
      return null;
    }
    return new NodeSelector(
        match.isEmpty() ? null : match, expressions.isEmpty() ? null : List.copyOf(expressions));
  }

  private static Built podProfile(GroupKey key, List<PodTarget> pods, int part, boolean split) {
    List<Target> members = pods.stream().map(PodTarget::target).toList();
    String name = name(key, members, part);
    List<String> nodes = pods.stream().map(PodTarget::node).distinct().sorted().toList();
    List<String> namespaces = pods.stream().map(PodTarget::namespace).distinct().sorted().toList();
    NodeSelector podSelector = podSelector(pods.stream().map(PodTarget::labels).toList());
    ProfilePods rule =
        new ProfilePods(
            new NodeSelector(
                null, List.of(new NodeSelectorRequirement(NAMESPACE_LABEL, "In", namespaces))),
            podSelector,
            null);
    List<String> comments = new ArrayList<>();
    comments.add(
        "TcpTeardownProfile "
            + name
            + ": "
            + key.field().field()
            + " "
            + key.value()
            + " in the network namespaces of "
            + pods.size()
            + " pod(s) in namespace(s) "
            + String.join(", ", namespaces)
            + " on "
            + nodes.size()
            + " node(s): "
            + String.join(", ", nodes)
            + ". A profile's fields also apply to the node's own namespace of the nodes it"
            + " selects.");
    comments.add(
        podSelector == null
            ? "Pods rule: these pods carry no label they all share (volatile ones such as"
                + " pod-template-hash left out), so spec.pods selects every pod of their"
                + " namespace(s) on these nodes."
            : "Pods rule: the labels these pods all carry (volatile ones such as pod-template-hash"
                + " left out): one value in matchLabels, several in an In expression; it selects"
                + " any pod of these namespaces on these nodes with them."
                + (split
                    ? " The pods of this advice share no label key, so they are split by the"
                        + " keys they carry, one profile each."
                    : ""));
    if (part > 0) {
      comments.add(
          "Part "
              + part
              + ": the advice is split where a selector would exceed its bounds (16 values, 16"
              + " items) or the pods carry different label keys.");
    }
    comments.addAll(evidenceLines(members));
    TcpTeardownProfileSpec spec =
        spec(nodeSelector(nodes), null, key.field(), members.getFirst().value(), rule);
    return new Built(profile(new ObjectMetaBuilder().withName(name).build(), spec), comments);
  }

  private static NodeSelector nodeSelector(List<String> hostnames) {
    return new NodeSelector(
        null, List.of(new NodeSelectorRequirement(HOSTNAME_LABEL, "In", List.copyOf(hostnames))));
  }

  private static TcpTeardownProfileSpec spec(
      NodeSelector nodes, Integer priority, ManagedSysctl field, Object value, ProfilePods pods) {
    TeardownSettings s = TeardownSettings.NONE.with(field, value);
    return new TcpTeardownProfileSpec(
        nodes,
        priority,
        s.orphanRetries(),
        s.finTimeoutSeconds(),
        s.maxOrphans(),
        s.maxTwBuckets(),
        s.twReuse(),
        s.timestamps(),
        null,
        pods,
        s.childEhashEntries());
  }

  private static TcpTeardownProfile profile(ObjectMeta meta, TcpTeardownProfileSpec spec) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(meta);
    profile.setSpec(spec);
    return profile;
  }

  /**
   * A name that says what the profile does and is the same for the same members: {@code
   * advice-<node|pods>-<field>-<value>-<8 hex digits of their hash>[-<part>]}, a DNS label of at
   * most {@value #MAX_GENERATED_NAME} characters.
   */
  static String name(GroupKey key, List<Target> members, int part) {
    StringBuilder identity = new StringBuilder(key.toString());
    members.stream()
        .map(t -> t.node().node() + "/" + t.entry().namespace() + "/" + t.entry().pod())
        .sorted()
        .forEach(m -> identity.append('\n').append(m));
    String scope = key.scope().equals(AdviceEntry.SCOPE_POD) ? "pods" : "node";
    String value = key.value().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    String name =
        "advice-"
            + scope
            + "-"
            + key.field().field().toLowerCase(java.util.Locale.ROOT)
            + "-"
            + (value.length() > 16 ? value.substring(0, 16) : value)
            + "-"
            + hash(identity.toString())
            + (part > 0 ? "-" + part : "");
    return name.length() > MAX_GENERATED_NAME ? name.substring(0, MAX_GENERATED_NAME) : name;
  }

  private static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** One line per piece of evidence, at most {@link #MAX_EVIDENCE}, then how many more. */
  private static List<String> evidenceLines(List<Target> members) {
    List<String> lines = new ArrayList<>();
    for (Target t : members.subList(0, Math.min(members.size(), MAX_EVIDENCE))) {
      AdviceEntry e = t.entry();
      lines.add(
          "- "
              + t.where()
              + ": "
              + e.reason()
              + "; current "
              + (e.current() == null ? "(unknown)" : e.current())
              + (e.profile() == null ? "" : " (set by profile " + e.profile() + ")")
              + "; since "
              + e.since()
              + "; "
              + e.message());
    }
    if (members.size() > MAX_EVIDENCE) {
      lines.add("... and " + (members.size() - MAX_EVIDENCE) + " more");
    }
    return lines;
  }

  /** A comment line as printed: printable ASCII (control characters escaped), bounded. */
  static String line(String text) {
    return SafeText.of(text, MAX_COMMENT);
  }

  /** Notes, bounded. */
  private static final class Notes {
    private final List<String> notes = new ArrayList<>();
    private int dropped;

    void add(String note) {
      if (notes.size() < MAX_NOTES) {
        notes.add(line(note));
      } else {
        dropped++;
      }
    }

    List<String> list() {
      List<String> all = new ArrayList<>(notes);
      if (dropped > 0) {
        all.add("... and " + dropped + " more notes");
      }
      return all;
    }
  }
}
