package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.tcpteardown.api.AgentInfo;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownNodeSpec;
import io.tcpteardown.api.TcpTeardownNodeStatus;
import io.tcpteardown.api.TeardownSettings;
import io.tcpteardown.testsupport.ReportedStatus;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the operator's TcpTeardownNode informers keep, and which updates reconcile a Node. */
@UnitTest
class NodeObjectStoresTest {
  static TcpTeardownNode object(long generation, long timeWait) {
    TcpTeardownNode object = new TcpTeardownNode();
    object.setMetadata(
        new ObjectMetaBuilder()
            .withName("web-1")
            .withUid("u1")
            .withResourceVersion("7")
            .withGeneration(generation)
            .build());
    object.setSpec(
        TcpTeardownNodeSpec.of(
            TeardownSettings.NONE.with(io.tcpteardown.api.ManagedSysctl.FIN_TIMEOUT, 30),
            Map.of("finTimeoutSeconds", "web"),
            List.of("web"),
            List.of()));
    object.setStatus(ReportedStatus.of(generation, timeWait));
    return object;
  }

  @Test
  void theNodeSettingsStoreKeepsMetadataAndSpecButNoStatusNorManagedFields() {
    var store = new NodeObjectStores.WithoutStatus();
    TcpTeardownNode full = object(3, 10);
    var operator =
        new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder()
            .withManager("tcpteardownnodedependent")
            .withOperation("Apply")
            .build();
    var agent =
        new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder()
            .withManager("tcp-teardown-agent")
            .withOperation("Update")
            .withSubresource("status")
            .build();
    full.getMetadata().setManagedFields(List.of(operator, agent));
    store.put("web-1", full);
    TcpTeardownNode kept = store.get("web-1");
    assertThat(kept.getStatus()).isNull();
    assertThat(kept.getSpec()).isEqualTo(full.getSpec());
    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getMetadata().getOwnerReferences())
        .isEqualTo(full.getMetadata().getOwnerReferences());
    assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("7");
  }

  @Test
  void theStatusViewDropsThePodsAndWhatTheProfileStatusDoesNotRead() {
    TcpTeardownNodeStatus view = NodeObjectStatusView.of(object(3, 10).getStatus());
    assertThat(view.pods()).isNull();
    assertThat(view.agent()).isEqualTo(new AgentInfo(null, null, List.of(AgentInfo.POD_RULES)));
    assertThat(view.states().timeWait()).isEqualTo(10);
    assertThat(view.applied()).containsEntry("net.ipv4.tcp_fin_timeout", "30");
  }

  @Test
  void onlyASpecChangeOfATcpTeardownNodeReconcilesItsNode() {
    NodeObjectSpecChanged filter = new NodeObjectSpecChanged();
    assertThat(filter.accept(object(3, 11), object(3, 10))).as("an agent report").isFalse();
    assertThat(filter.accept(object(4, 10), object(3, 10))).as("a spec change").isTrue();
    TcpTeardownNode deleting = object(3, 10);
    deleting.getMetadata().setDeletionTimestamp("2026-11-26T12:00:00Z");
    assertThat(filter.accept(deleting, object(3, 10))).isTrue();
  }
}
