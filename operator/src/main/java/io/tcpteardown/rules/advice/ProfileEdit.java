package io.tcpteardown.rules.advice;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.rules.LabelSelectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code advise --for-profile}: the edit to an existing profile that acts on the advice. */
final class ProfileEdit {
  private ProfileEdit() {}

  /**
   * The edit to an existing profile: the advice about the nodes it selects (and, when it has {@code
   * spec.pods}, about their pods), except where another profile sets the field now (editing this
   * one would change nothing there). Per field the value advised on the most nodes and pods wins
   * (at a tie the first in order); the others are named in the notes.
   */
  static AdviceProfiles.Result edit(TcpTeardownProfile profile, List<NodeAdvice> nodes) {
    AdviceProfiles.Notes notes = new AdviceProfiles.Notes();
    String name = profile.getMetadata().getName();
    TcpTeardownProfileSpec spec = profile.getSpec();
    Map<ManagedSysctl, Map<String, List<AdviceProfiles.Target>>> byField = new TreeMap<>();
    for (AdviceProfiles.Target target : AdviceProfiles.readable(nodes, notes)) {
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
      if (owner != null && !owner.equals(name)) {
        notes.add(
            target.where()
                + ": "
                + target.field().field()
                + " is set there by profile "
                + owner
                + (target.pod() ? "'s pod rule" : "")
                + ", not "
                + name
                + ": run tcp-teardown advise --for-profile "
                + owner);
        continue;
      }
      byField
          .computeIfAbsent(target.field(), f -> new TreeMap<>())
          .computeIfAbsent(AdviceProfiles.text(target.value()), v -> new ArrayList<>())
          .add(target);
    }
    if (byField.isEmpty()) {
      return new AdviceProfiles.Result(List.of(), notes.list(), false);
    }
    TeardownSettings settings = spec.settings();
    List<String> comments = new ArrayList<>();
    List<AdviceProfiles.Target> evidence = new ArrayList<>();
    for (Map.Entry<ManagedSysctl, Map<String, List<AdviceProfiles.Target>>> field :
        byField.entrySet()) {
      Map.Entry<String, List<AdviceProfiles.Target>> chosen =
          field.getValue().entrySet().stream()
              .max(
                  Comparator.comparingInt(
                          (Map.Entry<String, List<AdviceProfiles.Target>> e) -> e.getValue().size())
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
                          + e.getValue().stream().map(AdviceProfiles.Target::where).toList()
                          + ": not in this edit (one profile holds one value); run tcp-teardown"
                          + " advise without --for-profile for a profile of their own"));
    }
    TcpTeardownProfileSpec edited = spec.withSettings(settings);
    ObjectMeta meta = profile.getMetadata();
    Map<String, String> annotations = new TreeMap<>();
    if (meta.getAnnotations() != null) {
      annotations.putAll(meta.getAnnotations());
      annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
    TcpTeardownProfile out =
        AdviceProfiles.profile(
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
    header.addAll(AdviceProfiles.evidenceLines(evidence));
    List<AdviceProfiles.Proposal> proposals = new ArrayList<>();
    boolean refused =
        !AdviceProfiles.accept(new AdviceProfiles.Built(out, header), proposals, notes);
    return new AdviceProfiles.Result(proposals, notes.list(), refused);
  }
}
