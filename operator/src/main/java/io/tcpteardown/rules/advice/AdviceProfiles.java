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
 * kubernetes.io/metadata.name} and the pods by their labels (see {@link PodGroups#podSelector});
 * {@code --for-profile} is {@link ProfileEdit}. A group past a selector's bound (16 values, 16
 * items) is split into several profiles. Every profile made is checked by the one validation path
 * ({@link ProfileValidation#validateDocument}) and printed only if accepted; advice that cannot
 * become a valid profile is named in a note.
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

  static final Pattern LABEL_VALUE =
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
              ? PodGroups.podProfiles(group.getKey(), group.getValue(), pods, priorities, notes)
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
    return ProfileEdit.edit(profile, nodes);
  }

  /** A profile made, before the validation path has seen it. */
  record Built(TcpTeardownProfile profile, List<String> comments) {}

  static boolean accept(Built built, List<Proposal> proposals, Notes notes) {
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
  static List<Target> readable(List<NodeAdvice> nodes, Notes notes) {
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

  static String text(Object value) {
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
  static Integer outrank(
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

  static NodeSelector nodeSelector(List<String> hostnames) {
    return new NodeSelector(
        null, List.of(new NodeSelectorRequirement(HOSTNAME_LABEL, "In", List.copyOf(hostnames))));
  }

  static TcpTeardownProfileSpec spec(
      NodeSelector nodes, Integer priority, ManagedSysctl field, Object value, ProfilePods pods) {
    return new TcpTeardownProfileSpec(
            nodes, priority, null, null, null, null, null, null, null, pods)
        .withSettings(TeardownSettings.NONE.with(field, value));
  }

  static TcpTeardownProfile profile(ObjectMeta meta, TcpTeardownProfileSpec spec) {
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
  static List<String> evidenceLines(List<Target> members) {
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
  static final class Notes {
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
