package io.tcpteardown.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.internal.KubernetesDeserializer;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which objects take the straight path and which go to Fabric8's tree-first deserializer. */
@UnitTest
class TypeFirstDeserializerTest {
  private final ObjectMapper mapper = new ObjectMapper();
  private final KubernetesSerialization serialization = new KubernetesSerialization(mapper, true);
  private final AtomicInteger viaFabric8 = new AtomicInteger();
  private final TypeFirstDeserializer deserializer =
      new TypeFirstDeserializer(
          new KubernetesDeserializer() {
            @Override
            public KubernetesResource deserialize(JsonParser p, DeserializationContext ctxt)
                throws IOException {
              viaFabric8.incrementAndGet();
              return super.deserialize(p, ctxt);
            }
          });

  @Test
  void theWatchedKindsWithTheirTypeFirstTakeTheStraightPath() throws IOException {
    String object = serialization.asJson(NodeObjectStoresTest.object(4, 9));

    Object read = read(object);

    assertThat(viaFabric8).hasValue(0);
    assertThat(read).isInstanceOf(TcpTeardownNode.class);
    assertThat(serialization.asJson(read)).isEqualTo(object);
    Object node =
        read(
            "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n1\"},"
                + "\"status\":{\"capacity\":{\"memory\":\"4Gi\"}}}");
    assertThat(viaFabric8).hasValue(0);
    assertThat(node).isInstanceOf(Node.class);
    assertThat(((Node) node).getStatus().getCapacity().get("memory").toString()).isEqualTo("4Gi");
  }

  @Test
  void everythingElseGoesToFabric8WithTheFieldsAlreadyRead() throws IOException {
    String[] objects = {
      "{\"metadata\":{\"name\":\"late\"},\"apiVersion\":\"v1\",\"kind\":\"Node\"}",
      "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"code\":410}",
      "{\"apiVersion\":7,\"kind\":\"Node\"}",
      "{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"no-kind\"}}",
      "{}"
    };
    for (String object : objects) {
      viaFabric8.set(0);
      Object read = read(object);
      assertThat(viaFabric8).as(object).hasValue(1);
      assertThat(serialization.asJson(read))
          .as(object)
          .isEqualTo(
              serialization.asJson(serialization.unmarshal(object, KubernetesResource.class)));
    }
  }

  private Object read(String json) throws IOException {
    JsonParser parser = mapper.createParser(json);
    parser.nextToken();
    DeserializationContext context =
        ((DefaultDeserializationContext) mapper.getDeserializationContext())
            .createInstance(
                mapper.getDeserializationConfig(), parser, mapper.getInjectableValues());
    return deserializer.deserialize(parser, context);
  }
}
