package io.tcpteardown.testsupport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.tcpteardown.delivery.RenderedChart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The chart's two ServiceAccounts and their RBAC, rendered by Helm and created in the test API
 * server under a release name of this run's own, and kubeconfigs holding a token of each (from the
 * TokenRequest API, as the kubelet gets a pod's token): the operator and the agent then run with
 * exactly the rights the chart gives them, not as admin. {@link #close()} deletes what it created.
 */
public final class ChartServiceAccounts implements AutoCloseable {
  public static final String NAMESPACE = RenderedChart.NAMESPACE;

  private final KubernetesClient admin;
  private final String release;
  private final List<HasMetadata> created = new ArrayList<>();

  private ChartServiceAccounts(KubernetesClient admin, String release) {
    this.admin = admin;
    this.release = release;
  }

  /** Renders the chart with default values and creates its ServiceAccounts and RBAC. */
  public static ChartServiceAccounts install(KubernetesClient admin) throws IOException {
    return install(admin, Map.of(), UnaryOperator.identity());
  }

  /**
   * Renders the chart with {@code values}, lets {@code edit} change the rendered objects (to try
   * another Role), and creates its ServiceAccounts and RBAC.
   */
  public static ChartServiceAccounts install(
      KubernetesClient admin, Map<String, Object> values, UnaryOperator<HasMetadata> edit)
      throws IOException {
    ChartServiceAccounts accounts =
        new ChartServiceAccounts(admin, "tt-" + UUID.randomUUID().toString().substring(0, 8));
    if (admin.namespaces().withName(NAMESPACE).get() == null) {
      admin
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .createOr(existing -> existing.update());
    }
    RenderedChart chart = RenderedChart.render(accounts.release, values);
    for (Class<? extends HasMetadata> type :
        List.of(
            ServiceAccount.class,
            ClusterRole.class,
            ClusterRoleBinding.class,
            Role.class,
            RoleBinding.class)) {
      for (HasMetadata object : chart.all(type)) {
        accounts.created.add(admin.resource(edit.apply(object)).create());
      }
    }
    return accounts;
  }

  public String release() {
    return release;
  }

  public String operatorServiceAccount() {
    return release + "-tcp-teardown-operator-operator";
  }

  public String agentServiceAccount() {
    return release + "-tcp-teardown-operator-agent";
  }

  /** A kubeconfig of the test API server whose user is the chart's operator ServiceAccount. */
  public String operatorKubeconfig() {
    return kubeconfig(operatorServiceAccount());
  }

  /** A kubeconfig of the test API server whose user is the chart's agent ServiceAccount. */
  public String agentKubeconfig() {
    return kubeconfig(agentServiceAccount());
  }

  /** The admin kubeconfig with its client certificate replaced by a token of the account. */
  public String kubeconfig(String serviceAccount) {
    TokenRequest request =
        admin
            .serviceAccounts()
            .inNamespace(NAMESPACE)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build());
    try {
      YAMLMapper yaml = new YAMLMapper();
      ObjectNode config = (ObjectNode) yaml.readTree(TestCluster.kubeconfig());
      ObjectNode user = (ObjectNode) config.get("users").get(0);
      user.putObject("user").put("token", request.getStatus().getToken());
      ((ObjectNode) config.get("contexts").get(0).get("context")).put("namespace", NAMESPACE);
      return yaml.writeValueAsString(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client of the kubeconfig. */
  public static KubernetesClient client(String kubeconfig) {
    return builder(kubeconfig).build();
  }

  /** A client of the kubeconfig; {@code interceptor} sees every request and response. */
  public static KubernetesClient client(String kubeconfig, Interceptor interceptor) {
    return builder(kubeconfig)
        .withHttpClientBuilderConsumer(
            builder -> builder.addOrReplaceInterceptor("test-request-log", interceptor))
        .build();
  }

  private static KubernetesClientBuilder builder(String kubeconfig) {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig));
  }

  @Override
  public void close() {
    created.reversed().forEach(object -> admin.resource(object).delete());
  }
}
