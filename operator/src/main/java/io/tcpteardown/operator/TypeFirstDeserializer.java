package io.tcpteardown.operator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.internal.KubernetesDeserializer;
import io.tcpteardown.api.TcpTeardownNode;
import io.tcpteardown.api.TcpTeardownProfile;
import java.io.IOException;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a watch event's object straight into its type when {@code apiVersion} and {@code kind} come
 * first, as the API server writes them (sorted keys for custom resources, type fields first for
 * built-in kinds), for the kinds the operator watches. Fabric8's own deserializer reads every
 * object into a tree first, to find its kind, and then binds the tree: a second pass over every
 * report, per-pod list included, which the operator does not even keep. Anything else (another
 * kind, another order, an error's Status, a hostile shape) goes to Fabric8's deserializer
 * unchanged.
 */
public final class TypeFirstDeserializer extends JsonDeserializer<Object> {
  private static final String API_VERSION = "apiVersion";
  private static final String KIND = "kind";
  private static final Map<String, Class<? extends HasMetadata>> WATCHED =
      Stream.of(TcpTeardownNode.class, TcpTeardownProfile.class, Node.class)
          .collect(
              Collectors.toUnmodifiableMap(
                  c -> key(HasMetadata.getApiVersion(c), HasMetadata.getKind(c)),
                  Function.identity()));

  private final KubernetesDeserializer fallback;

  public TypeFirstDeserializer() {
    this(new KubernetesDeserializer());
  }

  TypeFirstDeserializer(KubernetesDeserializer fallback) {
    this.fallback = fallback;
  }

  @Override
  public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    if (!p.isExpectedStartObjectToken()) {
      return fallback.deserialize(p, ctxt);
    }
    ObjectNode head = JsonNodeFactory.instance.objectNode();
    JsonToken token = p.nextToken();
    while (token == JsonToken.FIELD_NAME && head.size() < 2) {
      String name = p.currentName();
      if (!API_VERSION.equals(name) && !KIND.equals(name)) {
        break;
      }
      token = p.nextToken();
      if (token != JsonToken.VALUE_STRING) {
        head.set(name, ctxt.readTree(p));
        p.nextToken();
        return viaFabric8(p, ctxt, head);
      }
      head.put(name, p.getText());
      token = p.nextToken();
    }
    Class<? extends HasMetadata> type =
        head.size() == 2
            ? WATCHED.get(key(head.get(API_VERSION).asText(), head.get(KIND).asText()))
            : null;
    if (type == null) {
      return viaFabric8(p, ctxt, head);
    }
    // The bean deserializer goes on from the current field; the type sets apiVersion and kind. Not
    // findRootValueDeserializer: it looks for a type deserializer on every call, introspecting the
    // class's annotations each time (4% of the operator's CPU in the steady state), and these
    // kinds are not polymorphic.
    return ctxt.findContextualValueDeserializer(ctxt.constructType(type), null)
        .deserialize(p, ctxt);
  }

  /** Reads the rest of the object (the parser at a field name or the object's end) into a tree. */
  private Object viaFabric8(JsonParser p, DeserializationContext ctxt, ObjectNode head)
      throws IOException {
    for (JsonToken token = p.currentToken(); token == JsonToken.FIELD_NAME; token = p.nextToken()) {
      String name = p.currentName();
      p.nextToken();
      head.set(name, ctxt.readTree(p));
    }
    JsonParser tree = head.traverse(p.getCodec());
    tree.nextToken();
    return fallback.deserialize(tree, ctxt);
  }

  private static String key(String apiVersion, String kind) {
    return apiVersion + "|" + kind;
  }
}
