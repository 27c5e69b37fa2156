package io.tcpteardown.agent.count;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sign of tcp_ehash_entries says whose table a namespace uses. */
@UnitTest
class EhashTableTest {
  @TempDir Path procRoot;

  private void write(String text) throws IOException {
    Path ipv4 = Files.createDirectories(procRoot.resolve("sys/net/ipv4"));
    Files.writeString(ipv4.resolve("tcp_ehash_entries"), text);
  }

  @Test
  void negativeIsTheSharedTableAndPositiveItsOwn() throws Exception {
    write("-262144\n");
    assertThat(EhashTable.read(procRoot)).isEqualTo(new EhashTable(false, 262144));
    write("1024\n");
    assertThat(EhashTable.read(procRoot)).isEqualTo(new EhashTable(true, 1024));
  }

  @Test
  void aKernelWithoutTheFileSharesOneTable() throws Exception {
    assertThat(EhashTable.read(procRoot)).isEqualTo(EhashTable.SHARED_UNKNOWN);
    assertThat(EhashTable.SHARED_UNKNOWN.own()).isFalse();
  }

  @Test
  void anythingElseIsAnError() throws Exception {
    write("lots\n");
    assertThatThrownBy(() -> EhashTable.read(procRoot))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a number");
    write("-9223372036854775808\n");
    assertThatThrownBy(() -> EhashTable.read(procRoot)).isInstanceOf(IOException.class);
  }
}
