package io.tcpteardown.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.tcpteardown.tier.UnitTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The project's kinds are registered with the client's deserializer
 * (META-INF/services/io.fabric8.kubernetes.api.model.KubernetesResource): a watch event then
 * deserializes straight to the type. Unregistered, every event of every watch became a generic
 * object first and was converted again, a fifth of the operator's CPU with agents reporting.
 */
@UnitTest
class KindRegistrationTest {
  static Stream<Class<? extends HasMetadata>> kinds() {
    return Stream.of(TcpTeardownNode.class, TcpTeardownProfile.class);
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void aWatchEventHoldsTheTypedObject(Class<? extends HasMetadata> type) {
    String event =
        """
        {"type":"MODIFIED","object":{"apiVersion":"%s","kind":"%s","metadata":{"name":"a"}}}
        """
            .formatted(HasMetadata.getApiVersion(type), HasMetadata.getKind(type));

    WatchEvent parsed = new KubernetesSerialization().unmarshal(event, WatchEvent.class);

    assertThat(parsed.getObject()).isInstanceOf(type);
  }
}
