package io.tcpteardown.testsupport;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.tcpteardown.operator.OperatorRuntime;
import io.tcpteardown.operator.OperatorSettings;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The operator in this JVM against the test API server, for a test class ({@code @RegisterExtension
 * static}): started once with the admin's client and the default settings, no leader election; each
 * test gets fresh {@link ClusterFixtures}, deleted after it.
 */
public final class RunningOperator
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private KubernetesClient client;
  private OperatorRuntime operator;
  private ClusterFixtures fixtures;

  public KubernetesClient client() {
    return client;
  }

  /** The operator started for this test class. */
  public OperatorRuntime runtime() {
    return operator;
  }

  public ClusterFixtures fixtures() {
    return fixtures;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    client = TestCluster.client();
    operator =
        OperatorRuntime.start(client, new OperatorSettings(false, "unused", "default", 0, 0));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (operator != null) {
      operator.close();
    }
    if (client != null) {
      client.close();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    fixtures = new ClusterFixtures(client);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    fixtures.close();
  }
}
