package io.tcpteardown.agent.pods;

import io.tcpteardown.rules.PodFacts;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The pods the tuning loop resolves rules against, from the node's Pod watch and the namespaces'
 * labels: every pod with a network namespace of its own (hostNetwork pods are the node's).
 */
public final class NodePods implements PodTuningLoop.Pods {
  private final PodDirectory directory;
  private final NamespaceLabels namespaces;

  public NodePods(PodDirectory directory, NamespaceLabels namespaces) {
    this.directory = directory;
    this.namespaces = namespaces;
  }

  @Override
  public Collection<PodFacts> pods() {
    List<PodFacts> facts = new ArrayList<>();
    directory
        .podsByCgroupUid()
        .forEach(
            (uid, meta) -> {
              if (!meta.hostNetwork()) {
                facts.add(
                    new PodFacts(
                        uid,
                        meta.namespace(),
                        meta.name(),
                        meta.labels(),
                        namespaces.labels(meta.namespace()),
                        meta.ownSysctls()));
              }
            });
    return facts;
  }

  @Override
  public boolean synced() {
    return directory.synced() && namespaces.synced();
  }

  @Override
  public Set<String> unattributed() {
    return directory.attribution().unattributed();
  }
}
