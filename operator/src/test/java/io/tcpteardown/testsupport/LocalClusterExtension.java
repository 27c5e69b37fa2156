package io.tcpteardown.testsupport;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shares one run of {@link LocalCluster} between the test classes of the real-cluster tier: the
 * first class that needs it starts it ({@code up} takes 65–130 s), and it is stopped once, when the
 * whole test run ends (the root context's store closes its resources). {@link ClusterTestsLast}
 * runs those classes after every other class, so that the kubelet of the running cluster never
 * meets a later kernel test's simulated pods.
 */
public final class LocalClusterExtension implements BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LocalClusterExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Stop.class, key -> new Stop(LocalCluster.get()), Stop.class);
  }

  /** Stops the cluster at the end of the run, if this JVM started it. */
  private record Stop(LocalCluster cluster) implements AutoCloseable {
    @Override
    public void close() {
      LocalCluster.stopIfStarted();
    }
  }
}
