package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;

@UnitTest
class OperatorSerializationTest {
  private static final KubernetesSerialization DEFAULT = new KubernetesSerialization();

  @Test
  void aReportLosesExactlyItsPodListAndManagedFields() {
    TcpTeardownNode object = NodeObjectStoresTest.object(3, 10);
    object
        .getMetadata()
        .setManagedFields(
            List.of(
                new ManagedFieldsEntryBuilder()
                    .withManager("tcp-teardown-agent")
                    .withOperation("Update")
                    .withSubresource("status")
                    .build()));
    String json = DEFAULT.asJson(object);
    assertThat(object.getStatus().pods()).isNotEmpty();

    TcpTeardownNode read = OperatorSerialization.create().unmarshal(json, TcpTeardownNode.class);

    TcpTeardownNode expected = DEFAULT.unmarshal(json, TcpTeardownNode.class);
    expected.getMetadata().setManagedFields(null);
    TcpTeardownNodeStatus s = expected.getStatus();
    expected.setStatus(
        new TcpTeardownNodeStatus(
            s.observedGeneration(),
            s.applied(),
            s.original(),
            s.states(),
            s.counters(),
            s.driftCorrections(),
            s.conditions(),
            s.agent(),
            s.lastReportTime(),
            s.countTime(),
            s.countError(),
            s.hostStates(),
            null,
            s.podNamespaces(),
            s.podsTruncated(),
            s.podsCountTime(),
            s.podConflicts(),
            s.podRules(),
            null,
            null));
    assertThat(DEFAULT.asJson(read)).isEqualTo(DEFAULT.asJson(expected));
    assertThat(NodeObjectStatusView.of(read.getStatus()))
        .isEqualTo(NodeObjectStatusView.of(expected.getStatus()));
  }

  @Test
  void aWatchEventDeserializesStraightToTheType() {
    String event =
        "{\"type\":\"MODIFIED\",\"object\":"
            + DEFAULT.asJson(NodeObjectStoresTest.object(1, 1))
            + "}";
    var parsed =
        OperatorSerialization.create()
            .unmarshal(event, io.fabric8.kubernetes.api.model.WatchEvent.class);
    assertThat(parsed.getObject()).isInstanceOf(TcpTeardownNode.class);
    assertThat(((TcpTeardownNode) parsed.getObject()).getStatus().pods()).isNull();
  }

  @Test
  void aWatchEventsObjectIsReadByTheTypeFirstDeserializer() {
    ObjectMapper mapper = OperatorSerialization.mapper();
    new KubernetesSerialization(mapper, true);
    BeanDescription event =
        mapper.getDeserializationConfig().introspect(mapper.constructType(WatchEvent.class));
    var object =
        event.findProperties().stream().filter(p -> p.getName().equals("object")).findFirst();

    // What Jackson asks when it builds the property's deserializer (WatchEvent names Fabric8's on
    // both its field and its setter).
    assertThat(
            mapper
                .getDeserializationConfig()
                .getAnnotationIntrospector()
                .findDeserializer(object.orElseThrow().getMutator()))
        .isEqualTo(TypeFirstDeserializer.class);
  }

  @Test
  void aWatchEventsObjectIsTheSameWhateverTheOrderOfItsFields() {
    TcpTeardownNode object = NodeObjectStoresTest.object(2, 5);
    String typeFirst = DEFAULT.asJson(object);
    assertThat(typeFirst).startsWith("{\"apiVersion\":");
    String metadataFirst =
        "{\"metadata\":"
            + DEFAULT.asJson(object.getMetadata())
            + ",\"spec\":"
            + DEFAULT.asJson(object.getSpec())
            + ",\"kind\":\"TcpTeardownNode\",\"apiVersion\":\"tcpteardown.io/v1alpha1\"}";
    KubernetesSerialization operator = OperatorSerialization.create();

    Object fast = operator.unmarshal(event(typeFirst), WatchEvent.class).getObject();
    Object slow = operator.unmarshal(event(metadataFirst), WatchEvent.class).getObject();

    TcpTeardownNode typed = operator.unmarshal(typeFirst, TcpTeardownNode.class);
    assertThat(fast).isInstanceOf(TcpTeardownNode.class);
    assertThat(DEFAULT.asJson(fast)).isEqualTo(DEFAULT.asJson(typed));
    typed.setStatus(null);
    assertThat(DEFAULT.asJson(slow)).isEqualTo(DEFAULT.asJson(typed));
  }

  @Test
  void everyOtherShapeIsReadAsFabric8ReadsIt() {
    List<String> objects =
        List.of(
            // a built-in kind writes kind before apiVersion
            "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n1\","
                + "\"labels\":{\"pool\":\"web\"}},\"status\":{\"capacity\":{\"memory\":\"4Gi\"}}}",
            "{\"apiVersion\":\"tcpteardown.io/v1alpha1\",\"kind\":\"TcpTeardownProfile\","
                + "\"metadata\":{\"name\":\"p\",\"generation\":3},\"spec\":{\"priority\":5}}",
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":410,"
                + "\"reason\":\"Expired\",\"message\":\"too old resource version\"}",
            "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Unknown\",\"metadata\":{\"name\":\"u\"}}",
            "{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"no-kind\"}}",
            "{\"kind\":\"Node\"}",
            "{\"apiVersion\":7,\"kind\":\"Node\",\"metadata\":{\"name\":\"n2\"}}",
            "{\"apiVersion\":\"v1\",\"kind\":[\"Node\"],\"metadata\":{\"name\":\"n3\"}}",
            "{}");
    KubernetesSerialization operator = OperatorSerialization.create();
    for (String object : objects) {
      Object ours = operator.unmarshal(event(object), WatchEvent.class).getObject();
      Object theirs = DEFAULT.unmarshal(event(object), WatchEvent.class).getObject();
      assertThat(ours).as(object).isNotNull().hasSameClassAs(theirs);
      assertThat(DEFAULT.asJson(ours)).as(object).isEqualTo(DEFAULT.asJson(theirs));
    }
  }

  private static String event(String object) {
    return "{\"type\":\"MODIFIED\",\"object\":" + object + "}";
  }
}
