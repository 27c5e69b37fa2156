package io.tcpteardown.agent.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.agent.ffm.ExclusiveFileLock;
import io.tcpteardown.api.ManagedSysctl;
import io.tcpteardown.testsupport.StateFileChild;
import io.tcpteardown.tier.KernelTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock on {@code <state>.lock} between two processes, as between the agent and {@code
 * state-file rebuild} started beside it with {@code kubectl exec}: their read-modify-writes never
 * interleave, so neither loses the other's update.
 */
@KernelTest
class StateFileLockKernelTest {
  @TempDir Path dir;

  @Test
  void twoProcessesSavingPodsAtOnceLoseNoUpdate() throws Exception {
    Path path = dir.resolve("state.json");
    StateFile file = new StateFile(path);
    int childCount = 150;
    Process child =
        new ProcessBuilder(
                StateFileChild.command("pods", path.toString(), "child", "" + childCount))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    Set<String> expected = new HashSet<>();
    int mine = 0;
    // This process saves for as long as the child does (and at least as often), so that their
    // read-modify-writes overlap.
    while (child.isAlive() || mine < childCount) {
      String uid = "parent-" + mine;
      file.savePod(uid, new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 40L)));
      expected.add(uid);
      mine++;
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isZero();
    for (int i = 0; i < childCount; i++) {
      expected.add("child-" + i);
    }

    assertThat(file.podUids())
        .hasSize(expected.size())
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(file.loadPod("child-" + (childCount - 1)).orElseThrow().originals())
        .containsEntry(ManagedSysctl.FIN_TIMEOUT, 30L + childCount - 1);
  }

  @Test
  void aSaveWaitsWhileAnotherProcessHoldsTheLockAndKeepsItsWrite() throws Exception {
    Path path = dir.resolve("state.json");
    StateFile file = new StateFile(path);
    file.save(new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 60L)));
    long holdMillis = 1500;
    Process holder =
        new ProcessBuilder(StateFileChild.command("hold", path.toString(), "" + holdMillis))
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()))) {
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.equals("locked"));
      assertThat(line).as("the holder's output").isEqualTo("locked");

      long start = System.nanoTime();
      file.savePod("waiter", new NamespaceState("boot", Map.of(ManagedSysctl.FIN_TIMEOUT, 50L)));
      long waitedMillis = (System.nanoTime() - start) / 1_000_000;

      assertThat(waitedMillis).isGreaterThanOrEqualTo(holdMillis - 300);
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(holder.exitValue()).isZero();
      assertThat(List.copyOf(file.podUids())).containsExactly("holder", "waiter");
      assertThat(file.load().originals()).containsEntry(ManagedSysctl.FIN_TIMEOUT, 60L);
    } finally {
      holder.destroyForcibly();
    }
  }

  /**
   * Two holders inside one JVM exclude each other too (a flock belongs to the open file
   * description), and closing one holder's descriptor never releases another's lock.
   */
  @Test
  void twoHoldersInOneProcessExcludeEachOtherAndAWaitEndsWithTheLocksPath() throws Exception {
    Path lockFile = dir.resolve("state.json.lock");
    try (ExclusiveFileLock first = ExclusiveFileLock.acquire(lockFile, Duration.ofSeconds(1))) {
      assertThatThrownBy(() -> ExclusiveFileLock.acquire(lockFile, Duration.ofMillis(200)))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("cannot lock " + lockFile)
          .hasMessageContaining("held it for 200 ms");
      // The failed attempt closed its own descriptor: the first holder still holds the lock.
      assertThatThrownBy(() -> ExclusiveFileLock.acquire(lockFile, Duration.ofMillis(50)))
          .isInstanceOf(java.io.IOException.class);
      assertThat(first.path()).isEqualTo(lockFile);
    }
    try (ExclusiveFileLock again = ExclusiveFileLock.acquire(lockFile, Duration.ofMillis(200))) {
      assertThat(again.path()).isEqualTo(lockFile);
    }
  }
}
