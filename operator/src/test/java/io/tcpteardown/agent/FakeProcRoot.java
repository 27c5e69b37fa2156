package io.tcpteardown.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Plain files standing for /proc (the agent's --proc-root) as in a network namespace other than the
 * initial one: five of the six sysctls at kernel defaults, a boot id, sockstat, netstat and empty
 * /proc/net/tcp and tcp6. Writing them touches nothing of this machine's kernel.
 */
final class FakeProcRoot {
  private FakeProcRoot() {}

  static Path create(Path dir) throws IOException {
    Path root = dir.resolve("proc");
    Path ipv4 = Files.createDirectories(root.resolve("sys/net/ipv4"));
    Files.writeString(ipv4.resolve("tcp_orphan_retries"), "0\n");
    Files.writeString(ipv4.resolve("tcp_fin_timeout"), "60\n");
    Files.writeString(ipv4.resolve("tcp_max_tw_buckets"), "32768\n");
    Files.writeString(ipv4.resolve("tcp_tw_reuse"), "2\n");
    Files.writeString(ipv4.resolve("tcp_timestamps"), "1\n");
    Path random = Files.createDirectories(root.resolve("sys/kernel/random"));
    Files.writeString(random.resolve("boot_id"), "6c1b2a9e-0000-4000-8000-000000000001\n");
    Path net = Files.createDirectories(root.resolve("net"));
    Files.writeString(
        net.resolve("sockstat"),
        "sockets: used 5\nTCP: inuse 1 orphan 3 tw 0 alloc 1 mem 0\nUDP: inuse 0 mem 0\n");
    Files.writeString(
        net.resolve("netstat"), "TcpExt: TCPTimeWaitOverflow TCPAbortOnMemory\nTcpExt: 4 5\n");
    String header =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    Files.writeString(net.resolve("tcp"), header);
    Files.writeString(net.resolve("tcp6"), header);
    return root;
  }
}
