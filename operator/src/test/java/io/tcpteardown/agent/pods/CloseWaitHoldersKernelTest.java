package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A pod whose process leaks CLOSE_WAIT (it never calls close() after the peer closed): the holder
 * is named down to its pid, command and container, with the number of sockets it holds, alike from
 * the netlink dump inside its namespace and from its /proc/PID/net/tcp files.
 */
@KernelTest
class CloseWaitHoldersKernelTest {

  @Test
  void theLeakingProcessIsNamedWithItsContainerAndCount() throws Exception {
    try (NetworkNamespace namespace = NetworkNamespace.create("leak")) {
      String uid = UUID.randomUUID().toString();
      try (SimulatedPod pod =
          SimulatedPod.startLeaky(
              namespace,
              "tcp-teardown-test-" + uid.substring(0, 8),
              uid,
              SimulatedPod.Driver.CGROUPFS,
              SimulatedPod.Qos.BURSTABLE,
              120)) {

        NamespaceScanner scanner = new NamespaceScanner(Path.of("/proc"));
        NetworkNamespaceRef ref =
            scanner.scan(scanner.ownNamespace().orElseThrow()).stream()
                .filter(n -> n.pod().map(p -> p.podUid().equals(uid)).orElse(false))
                .findFirst()
                .orElseThrow();

        List<CloseWaitHolders.Holder> fromFiles =
            CloseWaitHolders.fromProcFiles(Path.of("/proc")).find(ref);
        List<CloseWaitHolders.Holder> holders;
        try (NamespaceCounter sweeper =
            new NamespaceCounter(Path.of("/proc"), java.time.Clock.systemUTC())) {
          holders = new CloseWaitHolders(Path.of("/proc"), sweeper::closeWaitInodes).find(ref);
        }

        assertThat(fromFiles).isEqualTo(holders);
        assertThat(holders).hasSize(1);
        CloseWaitHolders.Holder holder = holders.getFirst();
        assertThat(holder.pid()).isEqualTo(pod.pid());
        assertThat(holder.command()).isEqualTo("java");
        assertThat(holder.containerId()).contains(pod.containerId());
        assertThat(holder.sockets()).isEqualTo(120);
        assertThat(
                namespace
                    .exec("ss", "-Htan", "state", "close-wait")
                    .lines()
                    .filter(l -> !l.isBlank())
                    .count())
            .isEqualTo(120);
      }
    }
  }
}
