package io.tcpteardown.agent.pods;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
            labels.changed();
          }

          @Override
          public void onUpdate(Namespace before, Namespace after) {
            labels.changed();
          }

          @Override
          public void onDelete(Namespace namespace, boolean unknownFinalState) {
            labels.changed();
          }
        });
    labels.informer.start();
    return labels;
  }

  private void changed() {
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
    // From the informer's store, which is whole once synced() says so (handler notifications may
    // still be under way then).
    Namespace known = informer.getStore().getByKey(namespace);
    return known == null || known.getMetadata() == null
        ? Map.of(NAME_LABEL, namespace)
        : of(namespace, known.getMetadata().getLabels());
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
