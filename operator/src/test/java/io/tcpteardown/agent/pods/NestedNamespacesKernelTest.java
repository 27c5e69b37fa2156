package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.testsupport.NetworkNamespace;
import io.tcpteardown.testsupport.SimulatedPod;
import io.tcpteardown.tier.KernelTest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pod whose processes sit in several network namespaces (its sandbox's, and namespaces it created
 * inside: here four more processes of the same pod cgroup, each in a namespace of its own): a sweep
 * walks one namespace for it, the one of its first process, and the tuning loop targets that same
 * one.
 */
@KernelTest
class NestedNamespacesKernelTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private SimulatedPod process(String root, String uid) throws Exception {
    NetworkNamespace namespace = NetworkNamespace.create("nest");
    resources.add(namespace);
    SimulatedPod pod =
        SimulatedPod.start(
            namespace, root, uid, SimulatedPod.Driver.CGROUPFS, SimulatedPod.Qos.BURSTABLE);
    resources.add(pod);
    return pod;
  }

  @Test
  void aPodIsWalkedOnceInTheNamespaceOfItsFirstProcess() throws Exception {
    String uid = UUID.randomUUID().toString();
    String root = "tcp-teardown-test-" + uid.substring(0, 8);
    SimulatedPod sandbox = process(root, uid);
    for (int i = 0; i < 4; i++) {
      process(root, uid);
    }
    Path proc = Path.of("/proc");
    NamespaceScanner scanner = new NamespaceScanner(proc);
    long sandboxNamespace =
        NamespaceScanner.inode(proc.resolve(sandbox.pid() + "/ns/net")).orElseThrow();

    List<NamespaceCounts> counted;
    try (NamespaceCounter sweeper = new NamespaceCounter(proc, Clock.systemUTC())) {
      counted = sweeper.sweep(n -> n.pod().map(p -> p.podUid().equals(uid)).orElse(false));
    }

    assertThat(
            scanner.scan(scanner.ownNamespace().orElseThrow()).stream()
                .filter(n -> n.pod().map(p -> p.podUid().equals(uid)).orElse(false)))
        .hasSize(5);
    assertThat(counted).hasSize(1);
    assertThat(counted.getFirst().namespace().inode()).isEqualTo(sandboxNamespace);
  }
}
