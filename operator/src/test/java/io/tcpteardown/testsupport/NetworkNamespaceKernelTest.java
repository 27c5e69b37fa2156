package io.tcpteardown.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.tier.KernelTest;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

@KernelTest
class NetworkNamespaceKernelTest {
  @Test
  void threadSeesTheNamespaceNotTheHost() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("tt-selftest")) {
      ns.setSysctl("net.ipv4.tcp_fin_timeout", "17");
      String seenOnThread =
          ns.call(
              () ->
                  Files.readAllLines(ns.procRoot().resolve("sys/net/ipv4/tcp_fin_timeout"))
                      .getFirst());
      assertThat(seenOnThread).isEqualTo("17");
      assertThat(
              Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4/tcp_fin_timeout"))
                  .getFirst())
          .isNotEqualTo("17");
      String tcpOnThread =
          ns.call(() -> String.join("\n", Files.readAllLines(ns.procRoot().resolve("net/tcp"))));
      assertThat(tcpOnThread.lines().count()).isEqualTo(1);
    }
  }
}
