package io.tcpteardown.bench;

import io.tcpteardown.testsupport.NetworkNamespace;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Many TIME_WAIT sockets in one network namespace: clients close first. A TIME_WAIT socket keeps
 * its 4-tuple, so one destination gives at most one socket per ephemeral port; the connections are
 * spread over several listening ports (connect() may reuse a source port towards another
 * destination), with tcp_max_tw_buckets and the port range raised in that namespace only.
 */
public final class TimeWaitPopulation {
  private static final int PER_LISTENER = 20_000;

  private TimeWaitPopulation() {}

  public static void create(NetworkNamespace namespace, int count) throws Exception {
    create(namespace, count, PER_LISTENER);
  }

  /** As {@link #create(NetworkNamespace, int)}, {@code perListener} sockets per destination. */
  public static void create(NetworkNamespace namespace, int count, int perListener)
      throws Exception {
    namespace.setSysctl("net.ipv4.tcp_max_tw_buckets", String.valueOf(count * 2));
    namespace.setSysctl("net.ipv4.ip_local_port_range", "1024 65535");
    // No reuse of loopback TIME_WAIT ports (a new namespace has tcp_tw_reuse 2): new connections
    // must not end
    // the population they are building.
    namespace.setSysctl("net.ipv4.tcp_tw_reuse", "0");
    namespace.call(
        () -> {
          List<ServerSocketChannel> listeners = new ArrayList<>();
          try {
            for (int i = 0; i < (count + perListener - 1) / perListener; i++) {
              ServerSocketChannel listener = ServerSocketChannel.open();
              listener.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
              listeners.add(listener);
            }
            for (int i = 0; i < count; i++) {
              ServerSocketChannel listener = listeners.get(i / perListener);
              SocketChannel client = SocketChannel.open(listener.getLocalAddress());
              SocketChannel accepted = listener.accept();
              client.close();
              accepted.close();
            }
          } finally {
            for (ServerSocketChannel listener : listeners) {
              listener.close();
            }
          }
          return null;
        });
  }
}
