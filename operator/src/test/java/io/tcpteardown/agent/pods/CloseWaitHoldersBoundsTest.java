package io.tcpteardown.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpteardown.agent.count.CloseWaitInodes;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The holders of a namespace with more holders and more CLOSE_WAIT sockets than are kept, over a
 * proc root of plain files: process {@code p} holds {@code p} sockets (descriptor links {@code
 * socket:[inode]}), besides a pipe and a socket in another state.
 */
@UnitTest
class CloseWaitHoldersBoundsTest {
  @TempDir Path proc;

  private NetworkNamespaceRef namespace(int processes) throws IOException {
    List<Integer> pids = new ArrayList<>();
    long inode = 1;
    for (int pid = 1; pid <= processes; pid++) {
      Path fd = Files.createDirectories(proc.resolve(pid + "/fd"));
      Files.writeString(proc.resolve(pid + "/comm"), "p" + pid + "\n");
      for (int k = 0; k < pid % 7 + 1; k++) {
        Files.createSymbolicLink(
            fd.resolve(Integer.toString(k)), Path.of("socket:[" + inode++ + "]"));
      }
      Files.createSymbolicLink(fd.resolve("100"), Path.of("pipe:[5]"));
      Files.createSymbolicLink(fd.resolve("101"), Path.of("socket:[999999999]"));
      Files.createSymbolicLink(fd.resolve("102"), Path.of("socket:["));
      pids.add(pid);
    }
    return new NetworkNamespaceRef(42, pids, Optional.empty());
  }

  private static CloseWaitHolders.InodeSource upTo(long last) {
    return (namespace, into) -> {
      for (long inode = 1; inode <= last; inode++) {
        into.add(inode);
      }
      return true;
    };
  }

  @Test
  void moreHoldersThanKeptAreCountedExactly() throws IOException {
    int processes = CloseWaitHolders.MAX_HOLDERS + 76;
    NetworkNamespaceRef namespace = namespace(processes);
    long sockets = 0;
    for (int pid = 1; pid <= processes; pid++) {
      sockets += pid % 7 + 1;
    }
    CloseWaitHolders.Scan scan =
        new CloseWaitHolders(proc, upTo(sockets), new CloseWaitInodes(1_000_000)).scan(namespace);

    assertThat(scan.holders()).hasSize(CloseWaitHolders.MAX_HOLDERS);
    assertThat(scan.holdersNotKept()).isEqualTo(76);
    assertThat(
            scan.holders().stream().mapToLong(CloseWaitHolders.Holder::sockets).sum()
                + scan.socketsNotKept())
        .isEqualTo(sockets);
    assertThat(scan.holders().getFirst().sockets()).isEqualTo(7);
    assertThat(scan.holders())
        .isSortedAccordingTo(
            java.util.Comparator.comparingLong(CloseWaitHolders.Holder::sockets).reversed());
    // The ones left out hold no more than the least of those kept.
    assertThat(scan.socketsNotKept()).isLessThanOrEqualTo(76L * scan.holders().getLast().sockets());
    assertThat(scan.inodesNotKept()).isZero();
  }

  @Test
  void inodesBeyondTheCapacityAreCountedAsUnattributed() throws IOException {
    NetworkNamespaceRef namespace = namespace(10);
    CloseWaitHolders.Scan scan =
        new CloseWaitHolders(proc, upTo(100_000), new CloseWaitInodes(20)).scan(namespace);

    assertThat(scan.inodesKept()).isEqualTo(20);
    assertThat(scan.inodesNotKept()).isEqualTo(100_000 - 20);
    assertThat(scan.holders().stream().mapToLong(CloseWaitHolders.Holder::sockets).sum())
        .isEqualTo(20);
  }

  @Test
  void aNamespaceWhoseProcessesAreGoneHasNoHolders() throws IOException {
    NetworkNamespaceRef gone = new NetworkNamespaceRef(42, List.of(77_777), Optional.empty());
    CloseWaitHolders.Scan scan = new CloseWaitHolders(proc, upTo(5)).scan(gone);
    assertThat(scan.holders()).isEmpty();
    assertThat(CloseWaitHolders.fromProcFiles(proc).scan(gone).holders()).isEmpty();
  }
}
