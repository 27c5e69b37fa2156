package io.tcpteardown.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The operator's client of the API server: its own JSON mapping, and HTTP/1.1 instead of one HTTP/2
 * connection. At a profile change the operator has one apply in flight per reconciler thread; over
 * Java's HTTP/2 client they shared one connection and took about twice the API server's own time
 * per apply (docs/benchmarks.md, "Scale"), over HTTP/1.1 each has a connection of its own (idle
 * ones close after 30 s). Watches are WebSockets, each on a connection of its own, either way.
 */
public final class OperatorClient {
  private OperatorClient() {}

  /** A client of {@code config}, which it changes to HTTP/1.1. */
  public static KubernetesClient create(Config config) {
    config.setHttp2Disable(true);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withKubernetesSerialization(OperatorSerialization.create())
        .build();
  }
}
