package io.tcpteardown.testsupport;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real kube-apiserver (with etcd) for the whole test JVM, through Fabric8 kube-api-test, with
 * this project's CRDs installed from crds/. Offline it uses the binaries that
 * scripts/provision-kube-apiserver.sh put in ~/.kubeapitest; with internet access and no such
 * binaries, kube-api-test downloads them.
 */
public final class TestCluster {
  public static final String OFFLINE_VERSION = "1.20.2";
  private static final Path CRDS = Path.of("../crds");
  private static String kubeconfig;

  private TestCluster() {}

  public static synchronized KubernetesClient client() {
    if (kubeconfig == null) {
      kubeconfig = start();
    }
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
  }

  /** The kubeconfig YAML of the running test API server (started on first use). */
  public static synchronized String kubeconfig() {
    client().close();
    return kubeconfig;
  }

  private static String start() {
    Path offline =
        Path.of(
            System.getProperty("user.home"),
            ".kubeapitest",
            "k8s",
            OFFLINE_VERSION + "-linux-amd64");
    KubeAPIServerConfigBuilder config =
        KubeAPIServerConfigBuilder.anAPIServerConfig().withUpdateKubeConfig(false);
    if (Files.isExecutable(offline.resolve("kube-apiserver"))) {
      config.withApiServerVersion(OFFLINE_VERSION).withOfflineMode(true);
    } else if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(
          "no kube-apiserver binaries in "
              + offline
              + ": run scripts/provision-kube-apiserver.sh (CI=true forbids skipping API server tests)");
    }
    KubeAPIServer server = new KubeAPIServer(config.build());
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    String yaml = server.getKubeConfigYaml();
    try (KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build()) {
      installCrds(client);
    }
    return yaml;
  }

  private static void installCrds(KubernetesClient client) {
    try (var files = Files.list(CRDS)) {
      List<Path> crds = files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
      for (Path file : crds) {
        try (InputStream in = Files.newInputStream(file)) {
          CustomResourceDefinition crd =
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
          // Not server-side apply: the 1.20 test server's SSA refuses x-kubernetes-validations
          // (CEL, 1.25+),
          // while a plain create drops that field, as any pre-CEL server does.
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .resource(crd)
              .createOr(NonDeletingOperation::update);
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(crd.getMetadata().getName())
              .waitUntilCondition(
                  c ->
                      c.getStatus() != null
                          && c.getStatus().getConditions() != null
                          && c.getStatus().getConditions().stream()
                              .anyMatch(
                                  cond ->
                                      cond.getType().equals("Established")
                                          && cond.getStatus().equals("True")),
                  30,
                  TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read CRDs from " + CRDS.toAbsolutePath(), e);
    }
  }
}
