package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.tcpteardown.api.TcpTeardownNode;

/**
 * Informer stores that keep of each TcpTeardownNode only what their controller reads: the agents'
 * statuses (20 pods each by default) would otherwise be held for every node. The profile status
 * keeps its own view of each status ({@link NodeObjectStatusView}).
 */
public final class NodeObjectStores {
  private NodeObjectStores() {}

  /**
   * For the node-settings controller, which compares the spec it wants with the spec stored and the
   * owner reference ({@link TcpTeardownNodeDependent#match}): no status, no managed fields.
   */
  public static final class WithoutStatus extends BasicItemStore<TcpTeardownNode> {
    public WithoutStatus() {
      super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public TcpTeardownNode put(String key, TcpTeardownNode object) {
      TcpTeardownNode slim = new TcpTeardownNode();
      ObjectMeta meta = object.getMetadata();
      if (meta.getManagedFields() != null && !meta.getManagedFields().isEmpty()) {
        // Its matcher compares specs (TcpTeardownNodeDependent#match), not managed fields, which
        // are most of what an object without status weighs.
        meta = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder(meta).build();
        meta.setManagedFields(null);
      }
      slim.setMetadata(meta);
      slim.setSpec(object.getSpec());
      return super.put(key, slim);
    }
  }
}
