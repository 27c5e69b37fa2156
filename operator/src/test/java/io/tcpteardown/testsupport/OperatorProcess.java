package io.tcpteardown.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code tcp-teardown operator} as its own process, as the chart runs it: configured by environment
 * variables, the operator ServiceAccount's token, leader election on.
 */
public final class OperatorProcess {
  private OperatorProcess() {}

  /**
   * Starts the operator with the Lease {@code lease}; its kubeconfig is written to {@code work},
   * its output to {@code log}.
   */
  public static Process start(ChartServiceAccounts accounts, String lease, Path work, Path log)
      throws IOException {
    Path kubeconfig = Files.writeString(work.resolve("kubeconfig"), accounts.operatorKubeconfig());
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-XX:+UseSerialGC",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.tcpteardown.cli.TcpTeardownCommand",
                    "operator"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("POD_NAMESPACE", ChartServiceAccounts.NAMESPACE);
    builder.environment().put("LEADER_ELECTION", "true");
    builder.environment().put("LEASE_NAME", lease);
    builder.environment().put("HEALTH_PORT", "0");
    builder.environment().put("METRICS_PORT", "0");
    return builder.start();
  }
}
