package io.tcpteardown.agent.count;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpteardown.rules.advice.Destination;
import io.tcpteardown.tier.UnitTest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

@UnitTest
class DestinationTableTest {
  private final Arena arena = Arena.ofAuto();

  /** Two 16-byte addresses as an inet_diag message holds them: local at 0, remote at 16. */
  private MemorySegment addresses(byte[] local, byte[] remote) {
    MemorySegment segment = arena.allocate(32);
    MemorySegment.copy(MemorySegment.ofArray(local), 0, segment, 0, local.length);
    MemorySegment.copy(MemorySegment.ofArray(remote), 0, segment, 16, remote.length);
    return segment;
  }

  private static byte[] v4(int a, int b, int c, int d) {
    return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
  }

  private static byte[] mapped(int a, int b, int c, int d) {
    byte[] bytes = new byte[16];
    bytes[10] = (byte) 0xff;
    bytes[11] = (byte) 0xff;
    bytes[12] = (byte) a;
    bytes[13] = (byte) b;
    bytes[14] = (byte) c;
    bytes[15] = (byte) d;
    return bytes;
  }

  @Test
  void anIpv4MappedIpv6DestinationCountsAsItsIpv4Address() {
    DestinationTable table = new DestinationTable();
    table.add(2, addresses(v4(10, 0, 0, 1), v4(10, 0, 0, 9)), 0, 16, 443);
    table.add(10, addresses(mapped(10, 0, 0, 1), mapped(10, 0, 0, 9)), 0, 16, 443);
    table.add(2, addresses(v4(10, 0, 0, 1), v4(10, 0, 0, 9)), 0, 16, 80);
    byte[] v6 = new byte[16];
    v6[0] = (byte) 0xfd;
    v6[15] = 1;
    table.add(10, addresses(v6, v6), 0, 16, 443);
    assertThat(table.destinations())
        .extracting(d -> d.destination().toString() + "=" + d.sockets())
        .containsExactlyInAnyOrder(
            "10.0.0.1 -> 10.0.0.9:443=2",
            "10.0.0.1 -> 10.0.0.9:80=1",
            "[fd00:0:0:0:0:0:0:1] -> [fd00:0:0:0:0:0:0:1]:443=1");
    assertThat(table.destinations().get(0).destination().family())
        .isEqualTo(Destination.Family.IPV4);
  }

  @Test
  void theBusiestAreNamedMostSocketsFirstAndOnlyAsManyAsAsked() {
    DestinationTable table = new DestinationTable();
    for (int destination = 1; destination <= 40; destination++) {
      for (int socket = 0; socket < destination; socket++) {
        table.add(2, addresses(v4(10, 0, 0, 1), v4(10, 2, 0, destination)), 0, 16, 443);
      }
    }
    assertThat(table.destinations(3))
        .extracting(d -> d.destination().remoteAddress() + "=" + d.sockets())
        .containsExactly("10.2.0.40=40", "10.2.0.39=39", "10.2.0.38=38");
    assertThat(table.destinations()).hasSize(40);
    assertThat(table.destinations(100)).hasSize(40);
  }

  @Test
  void beyondTheCapacityDestinationsAreSummedAsOtherAndFlagged() {
    DestinationTable table = new DestinationTable();
    int distinct = DestinationTable.CAPACITY + 76;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < distinct; i++) {
        table.add(2, addresses(v4(10, 0, 0, 1), v4(10, 1, i >> 8, i & 0xff)), 0, 16, 8080);
      }
    }
    assertThat(table.destinations())
        .hasSize(DestinationTable.CAPACITY)
        .allMatch(d -> d.sockets() == 2);
    assertThat(table.other()).isEqualTo(2 * 76);
    assertThat(table.truncated()).isTrue();
    table.reset();
    assertThat(table.destinations()).isEmpty();
    assertThat(table.truncated()).isFalse();
  }

  @Test
  void localPortsParseTheKernelsTextAndLeaveReservedPortsOut() throws IOException {
    LocalPorts ports = LocalPorts.parse("32768\t60999", "40000-40009,50000\n");
    assertThat(ports.drawable(32768)).isTrue();
    assertThat(ports.drawable(32767)).isFalse();
    assertThat(ports.drawable(40005)).isFalse();
    assertThat(ports.drawable(40010)).isTrue();
    assertThat(ports.drawable(50000)).isFalse();
    assertThat(ports.range().usable()).isEqualTo(60999 - 32768 + 1 - 11);
    assertThat(LocalPorts.parse("1024 1024", "").range().usable()).isEqualTo(1);
  }

  @Test
  void malformedPortTextIsAnIoExceptionNamingIt() {
    assertThatThrownBy(() -> LocalPorts.parse("70000 80000", ""))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("70000");
    assertThatThrownBy(() -> LocalPorts.parse("500 100", ""))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("backwards");
    assertThatThrownBy(() -> LocalPorts.parse("1 2 3", "")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> LocalPorts.parse("1000 2000", "9-1")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> LocalPorts.parse("1000 2000", "x")).isInstanceOf(IOException.class);
  }
}
