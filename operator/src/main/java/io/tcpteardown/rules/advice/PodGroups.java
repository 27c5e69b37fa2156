package io.tcpteardown.rules.advice;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.NodeSelector;
import io.tcpteardown.api.NodeSelectorRequirement;
import io.tcpteardown.api.ProfilePods;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The profiles for a group of pod advice: a {@code spec.pods} rule that selects the pods'
 * namespaces by name and the pods by the labels they share, split where a selector would exceed its
 * bounds or the pods share no label key.
 */
final class PodGroups {
  /**
   * Pod labels that differ from one pod of a workload to the next or change at each rollout: never
   * used in a selector (a selector on them would stop matching at the next rollout).
   */
  static final Set<String> VOLATILE_LABELS =
      Set.of(
          "pod-template-hash",
          "controller-revision-hash",
          "pod-template-generation",
          "statefulset.kubernetes.io/pod-name",
          "apps.kubernetes.io/pod-index",
          "controller-uid",
          "batch.kubernetes.io/controller-uid");

  private static final int VALUES = NodeSelectorRequirement.MAX_VALUES;

  private PodGroups() {}

  /** A pod with its stable labels. */
  record PodTarget(AdviceProfiles.Target target, Map<String, String> labels) {
    String namespace() {
      return target.entry().namespace();
    }

    String node() {
      return AdviceProfiles.hostname(target.node()).orElseThrow();
    }
  }

  static List<AdviceProfiles.Built> podProfiles(
      AdviceProfiles.GroupKey key,
      List<AdviceProfiles.Target> targets,
      AdviceProfiles.PodLabels lookup,
      Map<String, Integer> priorities,
      AdviceProfiles.Notes notes) {
    List<PodTarget> pods = new ArrayList<>();
    for (AdviceProfiles.Target target : targets) {
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
      stable.values().removeIf(v -> !AdviceProfiles.LABEL_VALUE.matcher(v).matches());
      pods.add(new PodTarget(target, stable));
    }
    pods.sort(
        Comparator.comparing(PodTarget::namespace)
            .thenComparing(p -> p.target().entry().pod())
            .thenComparing(PodTarget::node));
    // Families: one, when the pods share label keys; else one per set of keys.
    Map<String, List<PodTarget>> families = new TreeMap<>();
    Set<String> shared = commonKeys(pods.stream().map(PodTarget::labels).toList());
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
      chunks.addAll(chunks(family, commonKeys(family.stream().map(PodTarget::labels).toList())));
    }
    List<AdviceProfiles.Built> built = new ArrayList<>();
    int part = 0;
    for (List<PodTarget> chunk : chunks) {
      part++;
      built.add(
          podProfile(key, chunk, chunks.size() > 1 ? part : 0, families.size() > 1, priorities));
    }
    return built;
  }

  /** The label keys every one of {@code labels} has, in order. */
  private static Set<String> commonKeys(List<Map<String, String>> labels) {
    Set<String> keys = null;
    for (Map<String, String> l : labels) {
      if (keys == null) {
        keys = new TreeSet<>(l.keySet());
      } else {
        keys.retainAll(l.keySet());
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
    private final Set<String> nodes = new HashSet<>();
    private final Set<String> namespaces = new HashSet<>();
    private final Map<String, Set<String>> values = new HashMap<>();

    Chunk(Set<String> keys) {
      keys.forEach(k -> values.put(k, new HashSet<>()));
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
    Map<String, String> match = new TreeMap<>();
    List<NodeSelectorRequirement> expressions = new ArrayList<>();
    for (String key : commonKeys(labels)) {
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

  private static AdviceProfiles.Built podProfile(
      AdviceProfiles.GroupKey key,
      List<PodTarget> pods,
      int part,
      boolean split,
      Map<String, Integer> priorities) {
    List<AdviceProfiles.Target> members = pods.stream().map(PodTarget::target).toList();
    String name = AdviceProfiles.name(key, members, part);
    List<String> nodes = pods.stream().map(PodTarget::node).distinct().sorted().toList();
    List<String> namespaces = pods.stream().map(PodTarget::namespace).distinct().sorted().toList();
    NodeSelector podSelector = podSelector(pods.stream().map(PodTarget::labels).toList());
    ProfilePods rule =
        new ProfilePods(
            new NodeSelector(
                null,
                List.of(
                    new NodeSelectorRequirement(AdviceProfiles.NAMESPACE_LABEL, "In", namespaces))),
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
    // Where a profile's pod rule sets the field in these pods now, one more priority wins over it.
    Integer priority = AdviceProfiles.outrank(members, priorities, comments);
    comments.addAll(AdviceProfiles.evidenceLines(members));
    TcpTeardownProfileSpec spec =
        AdviceProfiles.spec(
            AdviceProfiles.nodeSelector(nodes),
            priority,
            key.field(),
            members.getFirst().value(),
            rule);
    return new AdviceProfiles.Built(
        AdviceProfiles.profile(new ObjectMetaBuilder().withName(name).build(), spec), comments);
  }
}
