package io.tcpteardown.delivery;

import io.tcpteardown.testsupport.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The workloads of the real-cluster tier, from the image {@code scripts/cluster/teardown-app}: a
 * server that never closes what its clients closed (CLOSE_WAIT piles up in its pod), one that does,
 * and clients that close first, to both in turn (TIME_WAIT in theirs from the second, FIN_WAIT2
 * from the first).
 */
final class TeardownApps {
  private TeardownApps() {}

  static Path leakyServer() throws IOException {
    return write("leaky-server", "[server, \"8080\", --leak]");
  }

  static Path server() throws IOException {
    return write("server", "[server, \"8080\"]");
  }

  static Path clients(String leakyServerIp, String serverIp) throws IOException {
    return write(
        "client", "[client, \"" + leakyServerIp + "," + serverIp + "\", \"8080\", \"20\"]");
  }

  private static Path write(String app, String args) throws IOException {
    Path file = Files.createTempFile(app, ".yaml");
    file.toFile().deleteOnExit();
    Files.writeString(
        file,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
        spec:
          replicas: 1
          selector:
            matchLabels: {app: %1$s}
          template:
            metadata:
              labels: {app: %1$s}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
                - name: %1$s
                  image: %2$s
                  imagePullPolicy: Never
                  args: %3$s
                  resources:
                    limits: {memory: 128Mi}
        """
            .formatted(app, LocalCluster.APP_IMAGE, args));
    return file;
  }
}
