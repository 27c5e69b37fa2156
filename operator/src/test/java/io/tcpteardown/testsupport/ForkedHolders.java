package io.tcpteardown.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tenant's pod at its worst for the agent's status ({@code
 * src/test/resources/pods/fork-holders.sh}): one process opens connections that a server in the
 * same network namespace closes at once (so they sit in CLOSE_WAIT), then forks children that
 * inherit them, every child named {@link #NAME} (escape sequences, a newline, DEL, invalid UTF-8:
 * the kernel names a process after the file it runs, here a symlink to sleep of that name). Closing
 * it kills the pod's process and its children.
 */
public final class ForkedHolders implements AutoCloseable {
  /** The children's name, 13 bytes, as the kernel stores it in /proc/PID/comm. */
  public static final byte[] NAME = {
    0x1b, '[', '2', 'J', 0x1b, ']', '0', ';', 0x07, '\n', 0x7f, (byte) 0xc3, '('
  };

  /** {@link #NAME} as the agent shows it. */
  public static final String ESCAPED = "\\x1b[2J\\x1b]0;\\x07\\x0a\\x7f\\xc3(";

  private static final Path SCRIPT = Path.of("src/test/resources/pods/fork-holders.sh");

  private final ServerSocket server;
  private final Thread closer;
  private final Path links;
  private SimulatedPod pod;

  private ForkedHolders(ServerSocket server, Path links) {
    this.server = server;
    this.links = links;
    this.closer =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (!server.isClosed()) {
                    try (Socket accepted = server.accept()) {
                      // closed at once: the tenant's end goes to CLOSE_WAIT
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
  }

  /**
   * Starts the pod {@code uid} in {@code namespace} with {@code connections} CLOSE_WAIT sockets
   * held by its process and {@code children} forked children; returns once all exist.
   */
  public static ForkedHolders start(
      NetworkNamespace namespace, String root, String uid, int connections, int children)
      throws IOException {
    ServerSocket server =
        namespace.call(() -> new ServerSocket(0, 4096, InetAddress.getLoopbackAddress()));
    ForkedHolders holders =
        new ForkedHolders(server, Files.createTempDirectory("tcp-teardown-comm"));
    try {
      holders.pod =
          SimulatedPod.start(
              namespace,
              root,
              uid,
              SimulatedPod.Driver.CGROUPFS,
              SimulatedPod.Qos.BURSTABLE,
              List.of(
                  "bash",
                  SCRIPT.toAbsolutePath().toString(),
                  String.valueOf(server.getLocalPort()),
                  String.valueOf(connections),
                  String.valueOf(children),
                  holders.links.toString()));
      String first =
          new BufferedReader(new InputStreamReader(holders.pod.output(), StandardCharsets.UTF_8))
              .readLine();
      if (!"ready".equals(first)) {
        throw new IOException("the forking process did not start: " + first);
      }
    } catch (IOException | RuntimeException e) {
      holders.close();
      throw e;
    }
    return holders;
  }

  /** The pod's own process (the parent of the children). */
  public SimulatedPod pod() {
    return pod;
  }

  @Override
  public void close() {
    if (pod != null) {
      // the tenant's children, by the pid of the process this test started
      ProcessHandle.of(pod.pid())
          .ifPresent(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
      pod.close();
    }
    try {
      server.close();
      closer.join(5_000);
      try (var files = Files.list(links)) {
        for (Path link : files.toList()) {
          Files.deleteIfExists(link);
        }
      }
      Files.deleteIfExists(links);
    } catch (IOException e) {
      // a leftover temporary directory of a test
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
