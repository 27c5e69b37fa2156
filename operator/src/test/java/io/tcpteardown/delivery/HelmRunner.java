package io.tcpteardown.delivery;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Helm for {@code scripts/demo.sh} where no helm CLI is installed: the helm-java library (Helm's
 * own code, embedded), the same way the tests install the chart. Arguments: {@code install} or
 * {@code uninstall}, then {@code kubeconfig=PATH} and chart values as {@code key=value}.
 */
public final class HelmRunner {
  private HelmRunner() {}

  public static void main(String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    Path kubeconfig = null;
    for (int i = 1; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      if (kv[0].equals("kubeconfig")) {
        kubeconfig = Path.of(kv[1]);
      } else {
        values.put(kv[0], kv[1]);
      }
    }
    if (kubeconfig == null || args.length == 0) {
      throw new IllegalArgumentException("usage: install|uninstall kubeconfig=PATH [key=value...]");
    }
    switch (args[0]) {
      case "install" -> {
        InstallCommand install =
            new Helm(Path.of("helm/tcp-teardown-operator").toAbsolutePath())
                .install()
                .withName(RenderedChart.RELEASE)
                .withNamespace(RenderedChart.NAMESPACE)
                .createNamespace()
                .withKubeConfig(kubeconfig)
                .waitReady()
                .withTimeout(300);
        values.forEach(install::set);
        System.out.println(install.call().getStatus());
      }
      case "uninstall" ->
          System.out.println(
              Helm.uninstall(RenderedChart.RELEASE)
                  .withNamespace(RenderedChart.NAMESPACE)
                  .withKubeConfig(kubeconfig)
                  .ignoreNotFound()
                  .call());
      default -> throw new IllegalArgumentException("install or uninstall, not " + args[0]);
    }
  }
}
