package io.tcpteardown.operator;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import java.util.List;

/**
 * Informer stores that keep of each TcpTeardownNode only what their controller reads: the agents'
 * statuses (20 pods each by default) would otherwise be held once per informer for every node.
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

  /**
   * For the profile-status controller, whose index keeps what it reads of each status ({@link
   * NodeObjectStatusView}): the name, identity and versions, and the selecting profiles, which map
   * an event to the profiles to reconcile.
   */
  public static final class ProfilesOnly extends BasicItemStore<TcpTeardownNode> {
    public ProfilesOnly() {
      super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public TcpTeardownNode put(String key, TcpTeardownNode object) {
      ObjectMeta meta = object.getMetadata();
      TcpTeardownNode slim = new TcpTeardownNode();
      ObjectMeta kept = new ObjectMeta();
      kept.setName(meta.getName());
      kept.setUid(meta.getUid());
      kept.setResourceVersion(meta.getResourceVersion());
      kept.setGeneration(meta.getGeneration());
      kept.setDeletionTimestamp(meta.getDeletionTimestamp());
      slim.setMetadata(kept);
      List<String> profiles = object.getSpec() == null ? null : object.getSpec().profiles();
      slim.setSpec(
          TcpTeardownNodeSpec.of(io.tcpteardown.api.TeardownSettings.NONE, null, profiles, null));
      return super.put(key, slim);
    }
  }
}
