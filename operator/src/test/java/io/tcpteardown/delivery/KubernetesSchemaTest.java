package io.tcpteardown.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every manifest the chart renders (defaults and each documented toggle) and its CRDs, validated
 * against the API schemas of Kubernetes 1.30 to 1.34 by a validator nobody here wrote: the
 * generated models of the official Kubernetes Java client ({@code io.kubernetes:client-java-api}
 * 21.0.0 to 25.0.0, one Kubernetes minor each, copied to {@code target/kubernetes-schemas} by the
 * build), whose {@code validateJsonElement} refuses unknown fields and missing required fields at
 * every level. It checks neither enums, quantities nor CEL; a kind a version does not serve (no
 * model class) is reported as such. The Prometheus Operator's kinds have no model here and are left
 * to their own check. The test API server is 1.20.2: this is the only check of current versions
 * that runs here.
 */
@UnitTest
class KubernetesSchemaTest {
  static final Path SCHEMAS = Path.of("target/kubernetes-schemas");
  static final Path CRDS = Path.of("../helm/tcp-teardown-operator/crds");

  /** The client's major version and the Kubernetes minor its models were generated from. */
  record Version(String client, String kubernetes) {
    @Override
    public String toString() {
      return "Kubernetes " + kubernetes + " (client-java-api " + client + ")";
    }
  }

  static final List<Version> VERSIONS =
      List.of(
          new Version("21.0.0", "1.30"),
          new Version("22.0.0", "1.31"),
          new Version("23.0.0", "1.32"),
          new Version("24.0.0", "1.33"),
          new Version("25.0.0", "1.34"));

  /** Not core kinds: the Prometheus Operator's CRDs. */
  static final List<String> OTHER_GROUPS = List.of("monitoring.coreos.com/");

  /** The chart's defaults and each documented toggle, as `--set` values. */
  static final Map<String, Map<String, Object>> RENDERINGS =
      Map.of(
          "defaults", Map.of(),
          "monitoring and the node restriction policy",
              Map.of(
                  "metrics.serviceMonitor.enabled", true,
                  "metrics.prometheusRule.enabled", true,
                  "metrics.grafanaDashboard.enabled", true,
                  "agent.nodeRestrictionPolicy", "true"),
          "no pods, no leader election, one replica",
              Map.of(
                  "agent.pods.enabled", false,
                  "operator.leaderElection", false,
                  "operator.replicas", 1),
          "platform values: two replicas, digest, labels, extra env, OpenShift security contexts",
              Map.of(
                  "operator.replicas", 2,
                  "image.digest", "sha256:" + "0".repeat(64),
                  "operator.podLabels.team", "platform",
                  "agent.extraEnv[0].name", "EXTRA",
                  "agent.extraEnv[0].value", "1",
                  "operator.podSecurityContext.runAsUser", "null",
                  "fullnameOverride", "tt"));

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<Version, URLClassLoader> LOADERS = new LinkedHashMap<>();

  record Manifest(String source, JsonNode object) {
    String apiVersion() {
      return object.path("apiVersion").asText();
    }

    String kind() {
      return object.path("kind").asText();
    }

    @Override
    public String toString() {
      return source
          + ": "
          + apiVersion()
          + " "
          + kind()
          + " "
          + object.path("metadata").path("name").asText();
    }
  }

  @BeforeAll
  static void loadModels() throws IOException {
    for (Version version : VERSIONS) {
      Path jar = SCHEMAS.resolve("client-java-api-" + version.client() + ".jar");
      assertThat(jar)
          .as("the build copies the models (maven-dependency-plugin, generate-test-resources)")
          .exists();
      LOADERS.put(
          version,
          new URLClassLoader(
              "k8s-" + version.kubernetes(),
              new URL[] {jar.toUri().toURL()},
              KubernetesSchemaTest.class.getClassLoader()));
    }
  }

  @AfterAll
  static void close() throws IOException {
    for (URLClassLoader loader : LOADERS.values()) {
      loader.close();
    }
    LOADERS.clear();
  }

  /** What the chart renders for a cluster of this version (Helm's Capabilities.KubeVersion). */
  static List<Manifest> manifests(Version version) throws IOException {
    List<Manifest> manifests = new ArrayList<>();
    for (var rendering : RENDERINGS.entrySet()) {
      TemplateCommand template =
          new Helm(RenderedChart.CHART)
              .template()
              .withName(RenderedChart.RELEASE)
              .withNamespace(RenderedChart.NAMESPACE)
              .withKubeVersion(version.kubernetes() + ".0")
              .skipCrds();
      rendering.getValue().forEach(template::set);
      documents(template.call()).forEach(d -> manifests.add(new Manifest(rendering.getKey(), d)));
    }
    // The helm test pod, which helm-java's template leaves out, from a copy without hook
    // annotations.
    Path work = Files.createTempDirectory("chart-hooks");
    RenderedChart.renderWithHooks(work, Map.of()).ofKind("Pod").stream()
        .map(pod -> YAML.valueToTree(pod))
        .forEach(pod -> manifests.add(new Manifest("helm test", (JsonNode) pod)));
    try (Stream<Path> crds = Files.list(CRDS)) {
      for (Path crd : crds.sorted().toList()) {
        documents(Files.readString(crd))
            .forEach(d -> manifests.add(new Manifest(crd.getFileName().toString(), d)));
      }
    }
    return manifests;
  }

  private static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(yaml)) {
      var values = YAML.readValues(parser, JsonNode.class);
      while (values.hasNextValue()) {
        JsonNode document = values.nextValue();
        if (document != null && document.has("kind")) {
          documents.add(document);
        }
      }
    }
    return documents;
  }

  static Stream<Version> versions() {
    return VERSIONS.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void everyRenderedManifestAndCrdIsValid(Version version) throws Exception {
    List<Manifest> manifests = manifests(version);
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Manifest manifest : manifests) {
      if (OTHER_GROUPS.stream().anyMatch(manifest.apiVersion()::startsWith)) {
        continue;
      }
      checked++;
      problems.addAll(
          validate(version, manifest.object()).stream().map(p -> manifest + ": " + p).toList());
    }
    assertThat(problems).as(version.toString()).isEmpty();
    assertThat(checked)
        .as("the chart's workloads, RBAC, services, dashboard, policy and both CRDs were checked")
        .isGreaterThanOrEqualTo(20);
    assertThat(manifests)
        .extracting(Manifest::kind)
        .contains(
            "CustomResourceDefinition",
            "DaemonSet",
            "Deployment",
            "ValidatingAdmissionPolicy",
            "ConfigMap",
            "Pod",
            "PodDisruptionBudget");
  }

  /** The validator can fail: an unknown field and a missing required field are each reported. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void anUnknownFieldAndAMissingRequiredFieldAreRefused(Version version) throws Exception {
    Manifest daemonSet =
        manifests(version).stream()
            .filter(m -> m.kind().equals("DaemonSet"))
            .findFirst()
            .orElseThrow();
    ObjectNode unknown = daemonSet.object().deepCopy();
    ((ObjectNode) unknown.path("spec").path("template").path("spec").path("containers").get(0))
        .put("securityContextt", "typo");
    assertThat(validate(version, unknown)).singleElement().asString().contains("securityContextt");

    ObjectNode missing = daemonSet.object().deepCopy();
    ((ObjectNode) missing.path("spec").path("template").path("spec").path("containers").get(0))
        .remove("name");
    assertThat(validate(version, missing)).singleElement().asString().contains("name");

    ObjectNode unserved = daemonSet.object().deepCopy();
    unserved.put("apiVersion", "extensions/v1beta1");
    assertThat(validate(version, unserved))
        .singleElement()
        .asString()
        .contains("not served by Kubernetes " + version.kubernetes());
  }

  static final Path MONITORING_MODELS = Path.of("../tools/prometheus-operator-models");

  /** The Prometheus Operator's kinds, with its published models (node, from the npm registry). */
  @Test
  void theServiceMonitorsAndThePrometheusRuleMatchThePrometheusOperatorsModels() throws Exception {
    List<JsonNode> monitoring =
        manifests(VERSIONS.getLast()).stream()
            .filter(m -> OTHER_GROUPS.stream().anyMatch(m.apiVersion()::startsWith))
            .map(Manifest::object)
            .toList();
    assertThat(monitoring)
        .extracting(o -> o.path("kind").asText())
        .contains("ServiceMonitor", "PrometheusRule");
    assertThat(validateMonitoring(monitoring))
        .isEqualTo("checked " + monitoring.size() + ", 0 with problems");

    ObjectNode broken =
        monitoring.stream()
            .filter(o -> o.path("kind").asText().equals("PrometheusRule"))
            .findFirst()
            .orElseThrow()
            .deepCopy();
    ((ObjectNode) broken.path("spec").path("groups").get(0).path("rules").get(0)).remove("expr");
    assertThat(validateMonitoring(List.of(broken)))
        .as("the models can fail: a rule without expr")
        .contains("must have required property", "expr");
  }

  private static String validateMonitoring(List<JsonNode> objects) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(MONITORING_MODELS.resolve("node_modules"))
            || "true".equals(System.getenv("CI")),
        "npm install --prefix tools/prometheus-operator-models (as .ci/run does) first");
    Process node =
        new ProcessBuilder("node", "validate.mjs")
            .directory(MONITORING_MODELS.toFile())
            .redirectErrorStream(true)
            .start();
    try (var in = node.getOutputStream()) {
      in.write(YAML_TO_JSON.writeValueAsBytes(objects));
    }
    String output =
        new String(node.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .strip();
    assertThat(node.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return output;
  }

  private static final ObjectMapper YAML_TO_JSON = new ObjectMapper();

  @Test
  void theModelsAreOfDifferentKubernetesVersions() throws Exception {
    // resource.k8s.io: v1alpha3 from 1.31, v1beta1 from 1.32, v1beta2 from 1.33, v1 from 1.34.
    assertThat(served(VERSIONS.get(0), "V1alpha3ResourceClaim")).isFalse();
    assertThat(served(VERSIONS.get(1), "V1alpha3ResourceClaim")).isTrue();
    assertThat(served(VERSIONS.get(1), "V1beta1ResourceClaim")).isFalse();
    assertThat(served(VERSIONS.get(2), "V1beta1ResourceClaim")).isTrue();
    assertThat(served(VERSIONS.get(2), "V1beta2ResourceClaim")).isFalse();
    assertThat(served(VERSIONS.get(3), "V1beta2ResourceClaim")).isTrue();
    assertThat(served(VERSIONS.get(3), "V1PodCertificateProjection")).isFalse();
    assertThat(served(VERSIONS.get(4), "V1PodCertificateProjection")).isTrue();
  }

  private static boolean served(Version version, String model) {
    try {
      Class.forName("io.kubernetes.client.openapi.models." + model, false, LOADERS.get(version));
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The problems the version's model finds in {@code object}; empty when it is valid. */
  static List<String> validate(Version version, JsonNode object) throws Exception {
    String apiVersion = object.path("apiVersion").asText();
    String kind = object.path("kind").asText();
    String versionPart = apiVersion.substring(apiVersion.indexOf('/') + 1);
    String model =
        "io.kubernetes.client.openapi.models."
            + versionPart.substring(0, 1).toUpperCase(Locale.ROOT)
            + versionPart.substring(1)
            + kind;
    Class<?> type;
    try {
      type = Class.forName(model, true, LOADERS.get(version));
    } catch (ClassNotFoundException e) {
      return List.of(
          apiVersion + " " + kind + " is not served by Kubernetes " + version.kubernetes());
    }
    JsonElement json = JsonParser.parseString(object.toString());
    Method validate;
    Object argument;
    try {
      validate = type.getMethod("validateJsonElement", JsonElement.class);
      argument = json;
    } catch (NoSuchMethodException older) {
      // client-java-api 21.0.0's generator names it validateJsonObject.
      validate = type.getMethod("validateJsonObject", com.google.gson.JsonObject.class);
      argument = json.getAsJsonObject();
    }
    try {
      validate.invoke(null, argument);
      return List.of();
    } catch (InvocationTargetException e) {
      return List.of(String.valueOf(e.getCause().getMessage()));
    }
  }
}
