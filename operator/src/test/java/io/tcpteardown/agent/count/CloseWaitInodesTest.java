package io.tcpteardown.agent.count;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.tier.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class CloseWaitInodesTest {

  @Test
  void keepsUpToItsCapacityAndCountsTheRestExactly() {
    CloseWaitInodes inodes = new CloseWaitInodes(1000);
    for (long inode = 1; inode <= 250_000; inode++) {
      inodes.add(inode);
    }
    assertThat(inodes.kept()).isEqualTo(1000);
    assertThat(inodes.dropped()).isEqualTo(249_000);
    assertThat(inodes.contains(1)).isTrue();
    assertThat(inodes.contains(1000)).isTrue();
    assertThat(inodes.contains(1001)).isFalse();
  }

  @Test
  void duplicatesAndInodeZeroAreNotCounted() {
    CloseWaitInodes inodes = new CloseWaitInodes(4);
    inodes.add(0);
    inodes.add(7);
    inodes.add(7);
    inodes.add(-3);
    assertThat(inodes.kept()).isEqualTo(2);
    assertThat(inodes.contains(0)).isFalse();
    assertThat(inodes.contains(-3)).isTrue();
    inodes.clear();
    assertThat(inodes.isEmpty()).isTrue();
    assertThat(inodes.contains(7)).isFalse();
  }

  @Test
  void aCapacityOutsideItsRangeIsRefused() {
    assertThatThrownBy(() -> new CloseWaitInodes(0)).hasMessageContaining("not 0");
  }
}
