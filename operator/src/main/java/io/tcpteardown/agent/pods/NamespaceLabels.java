package io.tcpteardown.agent.pods;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labels of every namespace, for the namespaceSelector of pod rules (RBAC: get, list, watch
 * namespaces). Each namespace also carries {@code kubernetes.io/metadata.name} with its name, as
 * API servers from 1.21 set it, so that a selector on it works on older servers too.
 */
public final class NamespaceLabels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceLabels.class);
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";

  private final Map<String, Map<String, String>> byName = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final SharedIndexInformer<Namespace> informer;

  private NamespaceLabels(KubernetesClient client) {
    informer = client.namespaces().runnableInformer(0);
  }

  public static NamespaceLabels watch(KubernetesClient client) {
    NamespaceLabels labels = new NamespaceLabels(client);
    labels.informer.exceptionHandler(
        (started, error) -> {
          LOG.warn("watch of namespaces failed, retrying: {}", error.getMessage());
          return true;
        });
    labels.informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Namespace namespace) {
            labels.put(namespace);
          }

          @Override
          public void onUpdate(Namespace before, Namespace after) {
            labels.put(after);
          }

          @Override
          public void onDelete(Namespace namespace, boolean unknownFinalState) {
            if (namespace.getMetadata() != null && namespace.getMetadata().getName() != null) {
              labels.byName.remove(namespace.getMetadata().getName());
            }
          }
        });
    labels.informer.start();
    return labels;
  }

  private void put(Namespace namespace) {
    if (namespace.getMetadata() == null || namespace.getMetadata().getName() == null) {
      return;
    }
    byName.put(
        namespace.getMetadata().getName(),
        of(namespace.getMetadata().getName(), namespace.getMetadata().getLabels()));
    listeners.forEach(Runnable::run);
  }

  /** The labels as selectors see them: null keys and values dropped, the name label added. */
  static Map<String, String> of(String name, Map<String, String> labels) {
    Map<String, String> result = new HashMap<>();
    if (labels != null) {
      labels.forEach(
          (k, v) -> {
            if (k != null && v != null) {
              result.put(k, v);
            }
          });
    }
    result.put(NAME_LABEL, name);
    return Map.copyOf(result);
  }

  /** The namespace's labels; only the name label while the namespace is not known yet. */
  public Map<String, String> labels(String namespace) {
    return byName.getOrDefault(namespace, Map.of(NAME_LABEL, namespace));
  }

  public boolean synced() {
    return informer.hasSynced();
  }

  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    informer.close();
  }
}
