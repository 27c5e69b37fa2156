package io.tcpteardown.delivery;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The chart's CRDs as an earlier release would have left them: the TcpTeardownNode CRD without its
 * {@code Orphans} column. Created before {@code helm install} (which then keeps them, as Helm keeps
 * existing CRDs), so that the upgrade test sees the README's CRD upgrade command change them.
 */
final class PreviousCrds {
  static final Path CRDS = RenderedChart.CHART.resolve("crds");

  private PreviousCrds() {}

  static void apply(KubernetesClient client) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(CRDS)) {
      files =
          list.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
              .sorted()
              .toList();
    }
    for (Path file : files) {
      CustomResourceDefinition crd;
      try (InputStream in = Files.newInputStream(file)) {
        crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      }
      crd.getSpec()
          .getVersions()
          .forEach(
              version -> {
                if (version.getAdditionalPrinterColumns() != null) {
                  version
                      .getAdditionalPrinterColumns()
                      .removeIf(c -> c.getName().equals("Orphans"));
                }
              });
      client.resource(crd).createOr(existing -> existing.update());
    }
  }
}
