package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.tier.UnitTest;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@UnitTest
class ShallowClonerTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private final ShallowCloner cloner = new ShallowCloner(JSON);

  static Stream<HasMetadata> objects() {
    String meta =
        "\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"7\",\"generation\":2,"
            + "\"labels\":{\"zone\":\"z1\"}}";
    TcpTeardownProfile profile =
        JSON.unmarshal(
            "{\"apiVersion\":\"tcpteardown.io/v1alpha1\",\"kind\":\"TcpTeardownProfile\","
                + meta
                + ",\"spec\":{\"finTimeoutSeconds\":30},"
                + "\"status\":{\"observedGeneration\":2,\"conditions\":[{\"type\":\"Applied\","
                + "\"status\":\"True\"}]}}",
            TcpTeardownProfile.class);
    TcpTeardownNode node =
        JSON.unmarshal(
            "{\"apiVersion\":\"tcpteardown.io/v1alpha1\",\"kind\":\"TcpTeardownNode\","
                + meta
                + ",\"spec\":{\"finTimeoutSeconds\":30,\"profiles\":[\"base\"]},"
                + "\"status\":{\"applied\":{\"net.ipv4.tcp_fin_timeout\":\"30\"}}}",
            TcpTeardownNode.class);
    Node kubeNode =
        new NodeBuilder()
            .withMetadata(meta())
            .withNewStatus()
            .addToCapacity("memory", new io.fabric8.kubernetes.api.model.Quantity("4Gi"))
            .endStatus()
            .build();
    return Stream.of(profile, node, kubeNode);
  }

  private static io.fabric8.kubernetes.api.model.ObjectMeta meta() {
    return new ObjectMetaBuilder()
        .withName("a")
        .withResourceVersion("7")
        .withGeneration(2L)
        .withLabels(Map.of("zone", "z1"))
        .build();
  }

  @ParameterizedTest
  @MethodSource("objects")
  void theCopyEqualsTheObjectAndHasMetadataOfItsOwn(HasMetadata object) {
    String before = JSON.asJson(object);

    HasMetadata copy = cloner.clone(object);

    assertThat(copy).isNotSameAs(object).isInstanceOf(object.getClass());
    assertThat(JSON.asJson(copy)).isEqualTo(before);
    copy.getMetadata().setResourceVersion("8");
    copy.getMetadata().getLabels().put("zone", "z2");
    copy.getMetadata().setManagedFields(List.of());
    assertThat(JSON.asJson(object)).isEqualTo(before);
  }

  @Test
  void otherKindsGetTheFullCopy() {
    ConfigMap map = new ConfigMapBuilder().withMetadata(meta()).addToData("k", "v").build();

    ConfigMap copy = cloner.clone(map);

    assertThat(copy).isEqualTo(map).isNotSameAs(map);
    assertThat(copy.getData()).isNotSameAs(map.getData());
  }
}
