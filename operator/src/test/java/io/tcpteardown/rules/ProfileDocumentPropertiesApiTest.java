package io.tcpteardown.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tcpteardown.api.TcpTeardownProfile;
import io.tcpteardown.operator.PressureTracker;
import io.tcpteardown.testsupport.ProfileStatusOracle;
import io.tcpteardown.testsupport.TestCluster;
import io.tcpteardown.tier.ApiTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated and mutated profile documents through the one validation path: it never throws, every
 * rejection names its field, `validate` never prints a stack trace, resolution and status
 * computation never throw on whatever could reach them, and what the path accepts the test API
 * server accepts too (server-side dry-run create).
 */
@ApiTest
@Tag("api")
class ProfileDocumentPropertiesApiTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper LENIENT =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  private static final List<NodeFacts> CLUSTER =
      List.of(
          new NodeFacts("web-1", "u1", Map.of("tier", "web"), 8L << 30),
          new NodeFacts("db-1", "u2", Map.of("tier", "db", "gpu", "yes"), 1L << 30),
          new NodeFacts("bare", "u3", Map.of(), null));
  private static final String REMOVE = "<remove>";

  /** Where a mutation lands. */
  private static final List<String> PATHS =
      List.of(
          "spec.priority",
          "spec.orphanRetries",
          "spec.finTimeoutSeconds",
          "spec.maxOrphans",
          "spec.maxTwBuckets",
          "spec.twReuse",
          "spec.timestamps",
          "spec.twRecycle",
          "spec.unknownField",
          "spec.nodeSelector",
          "spec.nodeSelector.matchLabels",
          "spec.nodeSelector.matchLabels.tier",
          "spec.nodeSelector.matchExpressions",
          "spec.nodeSelector.matchExpressions[0]",
          "spec.nodeSelector.matchExpressions[0].key",
          "spec.nodeSelector.matchExpressions[0].operator",
          "spec.nodeSelector.matchExpressions[0].values",
          "spec.nodeSelector.matchExpressions[0].values[0]",
          "spec.nodeSelector.matchExpressions[0].extra",
          "spec",
          "metadata",
          "metadata.name",
          "metadata.labels.team",
          "kind",
          "apiVersion");

  private static final List<String> INTEGER_PATHS =
      List.of(
          "spec.priority",
          "spec.orphanRetries",
          "spec.finTimeoutSeconds",
          "spec.maxOrphans",
          "spec.maxTwBuckets");

  /** Numbers and near-numbers: in range and out, integral and not, quoted, huge. */
  private static final List<Object> NUMBERS =
      List.of(
          "30.0",
          "30.7",
          "\"30\"",
          "-1",
          "5",
          "16",
          "4096",
          "4194305",
          "2147483648",
          "1e3",
          "null",
          REMOVE);

  private static final List<String> SELECTOR_PATHS =
      PATHS.stream().filter(p -> p.startsWith("spec.nodeSelector")).toList();

  /** What a mutation puts there: hostile and ordinary values alike. */
  private static final List<Object> VALUES =
      List.of(
          REMOVE,
          "null",
          "\"\"",
          "\"5\"",
          "30.7",
          "30.0",
          "-1",
          "0",
          "1",
          "2",
          "15",
          "16",
          "1024",
          "2147483648",
          "9007199254740993",
          "1e3",
          "true",
          "false",
          "\"Enabled\"",
          "\"enabled\"",
          "\"Disabled\"",
          "\"LoopbackOnly\"",
          "\"In\"",
          "\"NotIn\"",
          "\"Exists\"",
          "\"DoesNotExist\"",
          "\"tier\"",
          "\"web\"",
          "\"Web_1\"",
          "[]",
          "{}",
          "[null]",
          "[\"web\"]",
          "[\"web\", null]",
          "{\"tier\": null}",
          "{\"tier\": \"web\"}",
          "[{\"key\": \"tier\"}]",
          "[{\"key\": \"tier\", \"operator\": \"In\", \"values\": [\"web\"]}]",
          "\"" + "x".repeat(400) + "\"");

  private static KubernetesClient client;
  private static int sequence;

  private static synchronized KubernetesClient client() {
    if (client == null) {
      client = TestCluster.client();
    }
    return client;
  }

  @AfterContainer
  static void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  @Provide
  Arbitrary<ObjectNode> documents() {
    Arbitrary<ObjectNode> base = validDocuments();
    Arbitrary<Tuple.Tuple2<String, Object>> anywhere =
        Combinators.combine(Arbitraries.of(PATHS), Arbitraries.of(VALUES)).as(Tuple::of);
    Arbitrary<Tuple.Tuple2<String, Object>> numbers =
        Combinators.combine(Arbitraries.of(INTEGER_PATHS), Arbitraries.of(NUMBERS)).as(Tuple::of);
    Arbitrary<Tuple.Tuple2<String, Object>> selectors =
        Combinators.combine(Arbitraries.of(SELECTOR_PATHS), Arbitraries.of(VALUES)).as(Tuple::of);
    Arbitrary<List<Tuple.Tuple2<String, Object>>> mutations =
        Arbitraries.frequencyOf(Tuple.of(2, anywhere), Tuple.of(4, numbers), Tuple.of(2, selectors))
            .list()
            .ofMinSize(0)
            .ofMaxSize(2);
    return Combinators.combine(base, mutations)
        .as(
            (document, changes) -> {
              ObjectNode copy = document.deepCopy();
              for (var change : changes) {
                mutate(copy, change.get1(), change.get2());
              }
              return copy;
            });
  }

  private static Arbitrary<ObjectNode> validDocuments() {
    Arbitrary<Integer> priority = Arbitraries.integers().between(0, 1000).injectNull(0.5);
    Arbitrary<Integer> retries = Arbitraries.integers().between(0, 15).injectNull(0.5);
    Arbitrary<Integer> fin = Arbitraries.integers().between(5, 120).injectNull(0.5);
    Arbitrary<Integer> orphans = Arbitraries.integers().between(1024, 4194304).injectNull(0.6);
    Arbitrary<Integer> buckets = Arbitraries.integers().between(4096, 16777216).injectNull(0.6);
    Arbitrary<String> reuse = Arbitraries.of("Disabled", "Enabled", "LoopbackOnly").injectNull(0.5);
    Arbitrary<String> stamps = Arbitraries.of("Enabled", "EnabledWithoutOffsets").injectNull(0.6);
    Arbitrary<String> selector =
        Arbitraries.of(
            "",
            "{\"matchLabels\": {\"tier\": \"web\"}}",
            "{\"matchExpressions\": [{\"key\": \"tier\", \"operator\": \"In\", \"values\": [\"web\","
                + " \"db\"]}]}",
            "{\"matchExpressions\": [{\"key\": \"gpu\", \"operator\": \"DoesNotExist\"}]}",
            "{\"matchLabels\": {}, \"matchExpressions\": []}");
    return Combinators.combine(priority, retries, fin, orphans, buckets, reuse, stamps, selector)
        .as(
            (p, r, f, o, b, tw, ts, sel) -> {
              ObjectNode document = NODES.objectNode();
              document.put("apiVersion", ProfileValidation.API_VERSION);
              document.put("kind", ProfileValidation.KIND);
              document.putObject("metadata").put("name", "prop-" + nextSequence());
              ObjectNode spec = document.putObject("spec");
              putIfSet(spec, "priority", p);
              putIfSet(spec, "orphanRetries", r);
              putIfSet(spec, "finTimeoutSeconds", f);
              putIfSet(spec, "maxOrphans", o);
              putIfSet(spec, "maxTwBuckets", b);
              if (tw != null) {
                spec.put("twReuse", tw);
              }
              if (ts != null) {
                spec.put("timestamps", ts);
              }
              if (!sel.isEmpty()) {
                spec.set("nodeSelector", parse(sel));
              }
              return document;
            });
  }

  private static synchronized int nextSequence() {
    return ++sequence;
  }

  private static void putIfSet(ObjectNode spec, String field, Integer value) {
    if (value != null) {
      spec.put(field, value);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return LENIENT.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  /** Sets (or removes) the value at a dotted path, making the containers on the way. */
  private static void mutate(ObjectNode document, String path, Object value) {
    List<String> segments = new ArrayList<>();
    for (String part : path.split("\\.")) {
      int bracket = part.indexOf('[');
      if (bracket < 0) {
        segments.add(part);
      } else {
        segments.add(part.substring(0, bracket));
        segments.add(part.substring(bracket));
      }
    }
    JsonNode container = document;
    for (int i = 0; i < segments.size() - 1; i++) {
      String segment = segments.get(i);
      boolean nextIsIndex = segments.get(i + 1).startsWith("[");
      JsonNode next;
      if (segment.startsWith("[")) {
        if (!(container instanceof ArrayNode array)) {
          return;
        }
        if (array.isEmpty()) {
          array.add(nextIsIndex ? NODES.arrayNode() : NODES.objectNode());
        }
        next = array.get(0);
      } else {
        if (!(container instanceof ObjectNode object)) {
          return;
        }
        next = object.get(segment);
        if (next == null || (nextIsIndex ? !next.isArray() : !next.isObject())) {
          next = nextIsIndex ? NODES.arrayNode() : NODES.objectNode();
          object.set(segment, next);
        }
      }
      container = next;
    }
    String last = segments.getLast();
    JsonNode newValue = value == REMOVE ? null : parse((String) value);
    if (last.startsWith("[")) {
      if (container instanceof ArrayNode array) {
        if (newValue == null) {
          if (!array.isEmpty()) {
            array.remove(0);
          }
        } else if (array.isEmpty()) {
          array.add(newValue);
        } else {
          array.set(0, newValue);
        }
      }
    } else if (container instanceof ObjectNode object) {
      if (newValue == null) {
        object.remove(last);
      } else {
        object.set(last, newValue);
      }
    }
  }

  @Property(tries = 200)
  void thePathIsTotalNamesFieldsAndNeverAdmitsWhatTheApiServerRefuses(
      @ForAll("documents") ObjectNode document) throws Exception {
    boolean accepted = check(document);
    Statistics.label("verdict").collect(accepted ? "accepted" : "rejected");
    Statistics.label("verdict")
        .coverage(
            checker -> {
              checker.check("accepted").percentage(p -> p >= 10);
              checker.check("rejected").percentage(p -> p >= 30);
            });
  }

  /** Every check on one document; returns whether the path accepted it. */
  private boolean check(ObjectNode document) throws Exception {
    ProfileValidation.Result[] result = new ProfileValidation.Result[1];
    assertThatCode(() -> result[0] = ProfileValidation.validateDocument(document))
        .as("%s", document)
        .doesNotThrowAnyException();
    for (Violation violation : result[0].violations()) {
      assertThat(violation.field()).as("%s", document).isNotNull();
      assertThat(violation.message())
          .as("the message names the field, for %s", document)
          .contains(violation.field().isEmpty() ? "" : violation.field());
      assertThat(violation.rule()).isNotBlank();
    }

    // Whatever a typed profile could hold (as the operator reads it from a server with an older
    // or no schema), resolution and status computation answer without throwing.
    TcpTeardownProfile typed = null;
    try {
      typed = LENIENT.treeToValue(document, TcpTeardownProfile.class);
    } catch (Exception notReadable) {
      // the operator's informer would not deliver it either
    }
    if (typed != null && typed.getMetadata() != null && typed.getMetadata().getName() != null) {
      TcpTeardownProfile profile = typed;
      List<TcpTeardownProfile> all = List.of(profile, goodProfile());
      assertThatCode(
              () -> {
                for (NodeFacts node : CLUSTER) {
                  Resolver.resolve(node, all);
                }
                new ProfileStatusOracle(new PressureTracker())
                    .compute(profile, all, CLUSTER, Map.of(), Instant.now());
              })
          .as("%s", document)
          .doesNotThrowAnyException();
      if (result[0].accepted()) {
        assertThat(ProfileValidation.validate(profile)).as("%s", document).isEmpty();
      }
    }

    // `validate` on the document as a file: no stack trace, exit 0 or 1 by the same verdict.
    Path file = Files.createTempFile("profile", ".yaml");
    try {
      Files.writeString(file, new YAMLMapper().writeValueAsString(document));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      var commandLine = io.tcpteardown.cli.TcpTeardownCommand.commandLine();
      commandLine.setOut(new PrintWriter(out));
      commandLine.setErr(new PrintWriter(err));
      int exit = commandLine.execute("validate", "-f", file.toString());
      assertThat(exit).as("%s\n%s%s", document, out, err).isEqualTo(result[0].accepted() ? 0 : 1);
      assertThat(out + err.toString()).doesNotContain("\tat ", "Exception", "error: null");
    } finally {
      Files.deleteIfExists(file);
    }

    if (result[0].accepted()) {
      // The document's own JSON, byte for byte, as kubectl would send it (no client model).
      String url =
          client().getMasterUrl()
              + "apis/"
              + ProfileValidation.API_VERSION
              + "/tcpteardownprofiles?dryRun=All";
      try {
        client().raw(url, "POST", document.toString());
      } catch (KubernetesClientException e) {
        throw new AssertionError(
            "accepted by the validation path, refused by the API server: "
                + document
                + "\n"
                + e.getMessage(),
            e);
      }
    }
    return result[0].accepted();
  }

  @net.jqwik.api.Example
  void aKindWithoutApiVersionIsCheckedAsAProfileNotSkipped() throws Exception {
    // Found by the property once it ran: validate skipped it as another group's kind (exit 2).
    assertThat(
            check(
                (ObjectNode)
                    parse("{\"kind\":\"5\",\"metadata\":{\"name\":\"prop-284\"},\"spec\":{}}")))
        .isFalse();
  }

  @net.jqwik.api.Example
  void anEmptyLabelValueIsRefusedByBoth() throws Exception {
    // Found by the property: the 1.20 server reads "" in a custom resource as null.
    String json =
        "{\"apiVersion\":\"tcpteardown.io/v1alpha1\",\"kind\":\"TcpTeardownProfile\","
            + "\"metadata\":{\"name\":\"prop-empty\"},"
            + "\"spec\":{\"nodeSelector\":{\"matchLabels\":{\"tier\":\"\"}}}}";
    assertThat(check((ObjectNode) parse(json))).isFalse();
    String url =
        client().getMasterUrl()
            + "apis/"
            + ProfileValidation.API_VERSION
            + "/tcpteardownprofiles?dryRun=All";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client().raw(url, "POST", json))
        .hasMessageContaining("spec.nodeSelector.matchLabels.tier");
  }

  private static TcpTeardownProfile goodProfile() {
    TcpTeardownProfile good = new TcpTeardownProfile();
    good.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("good").build());
    good.setSpec(
        new io.tcpteardown.api.TcpTeardownProfileSpec(
            null, null, null, 45, null, null, null, null, null));
    return good;
  }
}
