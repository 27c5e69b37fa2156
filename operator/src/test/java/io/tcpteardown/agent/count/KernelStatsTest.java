package io.tcpteardown.agent.count;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.api.StateCounts;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parsers on text as the kernel writes it. */
@UnitTest
class KernelStatsTest {
  @TempDir Path procRoot;

  @Test
  void readsTheTcpLineOfSockstat() throws Exception {
    Sockstat sockstat =
        KernelStats.parseSockstat(
            List.of(
                "sockets: used 183",
                "TCP: inuse 12 orphan 3 tw 540 alloc 20 mem 7",
                "UDP: inuse 2 mem 1"));
    assertThat(sockstat).isEqualTo(new Sockstat(12, 3, 540, 20, 7));
    assertThatThrownBy(() -> KernelStats.parseSockstat(List.of("UDP: inuse 2")))
        .isInstanceOf(IOException.class);
  }

  @Test
  void readsTcpExtCountersByNameAndAbsentOnesAsZero() throws Exception {
    Path net = Files.createDirectories(procRoot.resolve("net"));
    Files.writeString(
        net.resolve("netstat"),
        """
        TcpExt: SyncookiesSent TCPTimeWaitOverflow TCPAbortOnMemory
        TcpExt: 0 41 7
        IpExt: InNoRoutes
        IpExt: 0
        """);
    assertThat(new KernelStats(procRoot).readCounters())
        .isEqualTo(new io.tcpteardown.api.KernelCounters(41, 7));
    Files.writeString(net.resolve("netstat"), "TcpExt: SyncookiesSent\nTcpExt: 0\n");
    assertThat(new KernelStats(procRoot).readCounters())
        .isEqualTo(io.tcpteardown.api.KernelCounters.ZERO);
  }

  @Test
  void aNetstatLongerThanItsLimitIsAnErrorAndAnyByteReads() throws Exception {
    Path net = Files.createDirectories(procRoot.resolve("net"));
    Files.writeString(net.resolve("netstat"), "x".repeat(KernelStats.NETSTAT_LIMIT) + "\n");
    assertThatThrownBy(() -> new KernelStats(procRoot).readCounters())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("longer than 65536 bytes");
    Files.write(
        net.resolve("netstat"),
        new byte[] {
          'T',
          'c',
          'p',
          'E',
          'x',
          't',
          ':',
          ' ',
          (byte) 0xff,
          '\n',
          'T',
          'c',
          'p',
          'E',
          'x',
          't',
          ':',
          ' ',
          '1',
          '\n'
        });
    assertThat(new KernelStats(procRoot).readCounters())
        .isEqualTo(io.tcpteardown.api.KernelCounters.ZERO);
    Files.writeString(net.resolve("netstat"), "TcpExt: TCPAbortOnMemory\nTcpExt: 12x\n");
    assertThatThrownBy(() -> new KernelStats(procRoot).readCounters())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("TCPAbortOnMemory is '12x'");
  }

  @Test
  void procFallbackSkipsALineWhoseStateIsNotHexInsteadOfFailing() throws Exception {
    Path net = Files.createDirectories(procRoot.resolve("net"));
    Files.writeString(
        net.resolve("tcp"),
        "  sl  local_address rem_address   st\n"
            + "   0: 0100007F:C352 0100007F:1F90 -8 00000000:00000000 00:00000000 00000000 0 0 2002 1 0\n"
            + "   1: 0100007F:C352 0100007F:1F90 08 00000000:00000000 00:00000000 00000000 0 0 2003 1 0\n");
    assertThat(new ProcNetTcpCounter(procRoot).count().closeWait()).isEqualTo(1);
  }

  @Test
  void procFallbackParsesStateTimerAndInodeOfEveryLineAcrossBothFiles() throws Exception {
    Path net = Files.createDirectories(procRoot.resolve("net"));
    String header =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    Files.writeString(
        net.resolve("tcp"),
        header
            + "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0\n"
            + "   1: 0100007F:C350 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n"
            + "   2: 0100007F:C351 0100007F:1F90 04 00000000:00000001 01:00000100 00000000     0        0 0 1 0 20 4 30 10 -1\n"
            + "   3: 0100007F:C352 0100007F:1F90 08 00000000:00000000 00:00000000 00000000     0        0 2002 1 0 20 4 30 10 -1\n");
    Files.writeString(
        net.resolve("tcp6"),
        header
            + "   0: 00000000000000000000000001000000:C350 00000000000000000000000001000000:1F90 0B 00000000:00000000 "
            + "01:00000010 00000000     0        0 0 1 0 20 4 30 10 -1\n"
            + "   1: 00000000000000000000000001000000:C351 00000000000000000000000001000000:1F90 05 00000000:00000000 "
            + "03:00000010 00000000     0        0 0 3 0000000000000000\n");
    StateCounts states = new ProcNetTcpCounter(procRoot).count();
    // FIN_WAIT1 and CLOSING with inode 0 are orphans; the time-wait mini-sockets (timer 3) are not.
    assertThat(states).isEqualTo(new StateCounts(1, 1, 1, 1, 0, 1, 2));
  }
}
