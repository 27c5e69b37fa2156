package io.tcpteardown.testsupport;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.api.TcpTeardownProfileSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Nodes and profiles for one test, all carrying one run label so that tests sharing the API server
 * never see each other's objects, and removed again by {@link #close()} (the test server runs no
 * garbage collector; deleting in parallel keeps the clean-up of a thousand nodes short).
 */
public final class ClusterFixtures implements AutoCloseable {
  public static final String RUN_LABEL = "tcpteardown.io/test-run";

  private final KubernetesClient client;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  public ClusterFixtures(KubernetesClient client) {
    this.client = client;
  }

  public String run() {
    return run;
  }

  /** A unique object name for this run. */
  public String name(String base) {
    return base + "-" + run;
  }

  public Node node(String base, String memory, Map<String, String> labels) {
    Map<String, String> all = new HashMap<>(labels);
    all.put(RUN_LABEL, run);
    Node node =
        new NodeBuilder()
            .withMetadata(new ObjectMetaBuilder().withName(name(base)).withLabels(all).build())
            .build();
    Node created = client.nodes().resource(node).create();
    created.setStatus(
        new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
            .withCapacity(Map.of("memory", new Quantity(memory), "cpu", new Quantity("4")))
            .build());
    return client.nodes().resource(created).updateStatus();
  }

  public void relabel(String base, String key, String value) {
    client
        .nodes()
        .withName(name(base))
        .edit(
            n -> {
              n.getMetadata().getLabels().put(key, value);
              return n;
            });
  }

  /** A profile that selects this run's nodes having all {@code labels}. */
  public TcpTeardownProfile profile(
      String base, Map<String, String> labels, TcpTeardownProfileSpec spec) {
    TcpTeardownProfile profile = new TcpTeardownProfile();
    profile.setMetadata(
        new ObjectMetaBuilder().withName(name(base)).withLabels(Map.of(RUN_LABEL, run)).build());
    profile.setSpec(scoped(labels, spec));
    return client.resource(profile).create();
  }

  /** Replaces the spec of a profile made by {@link #profile}. */
  public TcpTeardownProfile updateProfile(
      String base, Map<String, String> labels, TcpTeardownProfileSpec spec) {
    return SpecReplace.replaceSpec(
        client, TcpTeardownProfile.class, name(base), scoped(labels, spec));
  }

  private TcpTeardownProfileSpec scoped(Map<String, String> labels, TcpTeardownProfileSpec spec) {
    Map<String, String> selector = new HashMap<>(labels);
    selector.put(RUN_LABEL, run);
    return Specs.selecting(new io.tcpteardown.api.NodeSelector(selector, null), spec);
  }

  public TcpTeardownProfile getProfile(String base) {
    return client.resources(TcpTeardownProfile.class).withName(name(base)).get();
  }

  public TcpTeardownNode getNodeObject(String base) {
    return client.resources(TcpTeardownNode.class).withName(name(base)).get();
  }

  public void deleteProfile(String base) {
    client.resources(TcpTeardownProfile.class).withName(name(base)).delete();
  }

  /** Deletes this run's profiles, then its nodes and their TcpTeardownNodes, 16 at a time. */
  @Override
  public void close() {
    client.resources(TcpTeardownProfile.class).withLabel(RUN_LABEL, run).delete();
    List<Future<?>> deletions = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      for (Node node : client.nodes().withLabel(RUN_LABEL, run).list().getItems()) {
        deletions.add(
            pool.submit(
                () -> {
                  client.nodes().resource(node).delete();
                  client
                      .resources(TcpTeardownNode.class)
                      .withName(node.getMetadata().getName())
                      .delete();
                }));
      }
    }
    for (Future<?> deletion : deletions) {
      try {
        deletion.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
      }
    }
  }
}
