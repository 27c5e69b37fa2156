package io.tcpteardown.operator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.tcpteardown.api.TcpTeardownNodeStatus;

/**
 * How the operator's client reads API objects: Fabric8's own mapping, less what no controller
 * reads, so that the objects its watches deserialize (every agent report, every Node heartbeat)
 * cost less CPU and garbage: a TcpTeardownNode's per-pod list ({@code status.pods}, most of a
 * report) and every object's managed fields. The profile status reads only {@link
 * NodeObjectStatusView} of a report, which keeps neither. A watch event's object is read straight
 * into its type ({@link TypeFirstDeserializer}), not into a tree first.
 */
public final class OperatorSerialization {
  private OperatorSerialization() {}

  public static KubernetesSerialization create() {
    return new KubernetesSerialization(mapper(), true);
  }

  static ObjectMapper mapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.addMixIn(TcpTeardownNodeStatus.class, WithoutPods.class);
    mapper.addMixIn(ObjectMeta.class, WithoutManagedFields.class);
    mapper.addMixIn(WatchEvent.class, TypedWatchEvent.class);
    return mapper;
  }

  @JsonIgnoreProperties(value = "pods", ignoreUnknown = true)
  private abstract static class WithoutPods {}

  @JsonIgnoreProperties(value = "managedFields", ignoreUnknown = true)
  private abstract static class WithoutManagedFields {}

  // WatchEvent names Fabric8's deserializer on both its field and its setter; the setter's counts.
  private abstract static class TypedWatchEvent {
    @JsonProperty("object")
    @JsonDeserialize(using = TypeFirstDeserializer.class)
    private Object object;

    @JsonDeserialize(using = TypeFirstDeserializer.class)
    abstract void setObject(Object object);
  }
}
