package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
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
            s.podRules()));
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
}
