package io.tcpteardown.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The chart rendered by Helm (the helm-java library, which embeds Helm), as Kubernetes objects. */
public record RenderedChart(List<HasMetadata> objects) {
  public static final Path CHART = Path.of("../helm/tcp-teardown-operator");
  public static final String RELEASE = "tcp-teardown";
  public static final String NAMESPACE = "tcp-teardown";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  public static RenderedChart render(Map<String, Object> values) throws IOException {
    return render(RELEASE, values);
  }

  /** The chart as {@code helm template RELEASE --namespace tcp-teardown --skip-crds} renders it. */
  public static RenderedChart render(String release, Map<String, Object> values)
      throws IOException {
    return render(CHART, release, values);
  }

  /** The chart as Helm renders it for a cluster of {@code kubeVersion} (its Capabilities). */
  public static RenderedChart renderFor(String kubeVersion, Map<String, Object> values)
      throws IOException {
    TemplateCommand template =
        new Helm(CHART)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(kubeVersion)
            .skipCrds();
    values.forEach(template::set);
    return parse(template.call());
  }

  /** Another copy of the chart, rendered the same way. */
  public static RenderedChart render(Path chart, String release, Map<String, Object> values)
      throws IOException {
    TemplateCommand template =
        new Helm(chart).template().withName(release).withNamespace(NAMESPACE).skipCrds();
    values.forEach(template::set);
    return parse(template.call());
  }

  /**
   * The chart with its hooks ({@code helm test} pods), which helm-java's template leaves out: a
   * copy in {@code work} whose hook annotations are removed, rendered as {@link #render(Map)} does.
   */
  public static RenderedChart renderWithHooks(Path work, Map<String, Object> values)
      throws IOException {
    Path copy = work.resolve("chart-with-hooks");
    try (var files = java.nio.file.Files.walk(CHART)) {
      for (Path file : files.toList()) {
        Path target = copy.resolve(CHART.relativize(file).toString());
        if (java.nio.file.Files.isDirectory(file)) {
          java.nio.file.Files.createDirectories(target);
        } else if (file.toString().endsWith(".yaml")
            && file.startsWith(CHART.resolve("templates"))) {
          java.nio.file.Files.writeString(
              target,
              java.nio.file.Files.readString(file).replaceAll("(?m)^\\s*helm\\.sh/hook.*\\n", ""));
        } else {
          java.nio.file.Files.copy(file, target);
        }
      }
    }
    return render(copy, RELEASE, values);
  }

  public static RenderedChart parse(String yaml) throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    var mapper = new ObjectMapper(new YAMLFactory());
    try (var parser = new YAMLFactory().createParser(yaml)) {
      var documents = mapper.readValues(parser, JsonNode.class);
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        if (document != null && document.has("kind")) {
          objects.add(SERIALIZATION.unmarshal(document.toString()));
        }
      }
    }
    return new RenderedChart(objects);
  }

  public <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  public <T extends HasMetadata> T one(Class<T> type, String nameSuffix) {
    return all(type).stream()
        .filter(o -> o.getMetadata().getName().endsWith(nameSuffix))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + type.getSimpleName() + " named *" + nameSuffix));
  }

  public List<HasMetadata> ofKind(String kind) {
    return objects.stream().filter(o -> o.getKind().equals(kind)).toList();
  }
}
