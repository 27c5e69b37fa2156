package io.tcpteardown.agent.count;

import io.tcpteardown.rules.advice.Destination;
import io.tcpteardown.rules.advice.DestinationCount;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sockets per destination (family, local address, remote address, remote port), exact for the first
 * {@link #CAPACITY} destinations of a dump and summed as "other" beyond: a fixed table of primitive
 * arrays (about 100 KiB), so neither memory nor allocation grows with the sockets or the
 * destinations. Reused from one count to the next.
 */
final class DestinationTable {
  static final int CAPACITY = 1024;
  private static final int SLOTS = CAPACITY * 2;
  private static final int KEY_LONGS = 5;

  private final long[] keys = new long[SLOTS * KEY_LONGS];
  private final long[] counts = new long[SLOTS];
  private int used;
  private long other;
  private int lastSlot = -1;

  void reset() {
    if (used > 0) {
      Arrays.fill(counts, 0);
    }
    used = 0;
    other = 0;
    lastSlot = -1;
  }

  /**
   * Adds one socket from an inet_diag message: {@code family} (2 or 10), the 16-byte local and
   * remote addresses at {@code local} and {@code remote}, and the remote port. An IPv4-mapped IPv6
   * address counts as its IPv4 address.
   */
  void add(int family, MemorySegment message, long local, long remote, int remotePort) {
    long localHigh = message.get(Layout.BIG_LONG, local);
    long localLow = message.get(Layout.BIG_LONG, local + 8);
    long remoteHigh = message.get(Layout.BIG_LONG, remote);
    long remoteLow = message.get(Layout.BIG_LONG, remote + 8);
    boolean v4 = family == Layout.AF_INET;
    if (!v4 && mapped(localHigh, localLow) && mapped(remoteHigh, remoteLow)) {
      v4 = true;
      localHigh = (localLow & 0xffffffffL) << 32;
      remoteHigh = (remoteLow & 0xffffffffL) << 32;
      localLow = 0;
      remoteLow = 0;
    } else if (v4) {
      localHigh &= 0xffffffff00000000L;
      remoteHigh &= 0xffffffff00000000L;
      localLow = 0;
      remoteLow = 0;
    }
    long head = (v4 ? 4L : 6L) << 32 | (remotePort & 0xffff);
    // A dump walks sockets toward one upstream in runs: try the last destination before hashing.
    if (lastSlot >= 0 && matches(lastSlot, head, localHigh, localLow, remoteHigh, remoteLow)) {
      counts[lastSlot]++;
      return;
    }
    int slot = (int) (mix(head, localHigh, localLow, remoteHigh, remoteLow) & (SLOTS - 1));
    while (true) {
      if (counts[slot] == 0) {
        if (used == CAPACITY) {
          other++;
          return;
        }
        int k = slot * KEY_LONGS;
        keys[k] = head;
        keys[k + 1] = localHigh;
        keys[k + 2] = localLow;
        keys[k + 3] = remoteHigh;
        keys[k + 4] = remoteLow;
        counts[slot] = 1;
        used++;
        lastSlot = slot;
        return;
      }
      if (matches(slot, head, localHigh, localLow, remoteHigh, remoteLow)) {
        counts[slot]++;
        lastSlot = slot;
        return;
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
  }

  /** Sockets of destinations beyond the first {@link #CAPACITY}. */
  long other() {
    return other;
  }

  boolean truncated() {
    return other > 0;
  }

  /** The destinations counted, most sockets first. */
  List<DestinationCount> destinations() {
    return destinations(CAPACITY);
  }

  /**
   * The {@code most} busiest destinations counted, most sockets first: only those become objects.
   */
  List<DestinationCount> destinations(int most) {
    // count << 11 | slot sorts by count; SLOTS is 2,048, so a slot takes 11 bits.
    long[] bySockets = new long[used];
    int n = 0;
    for (int slot = 0; slot < SLOTS; slot++) {
      if (counts[slot] > 0) {
        bySockets[n++] = counts[slot] << 11 | slot;
      }
    }
    Arrays.sort(bySockets, 0, n);
    List<DestinationCount> result = new ArrayList<>(Math.min(most, n));
    for (int i = n - 1; i >= 0 && result.size() < most; i--) {
      int slot = (int) (bySockets[i] & (SLOTS - 1));
      int k = slot * KEY_LONGS;
      boolean v4 = keys[k] >>> 32 == 4;
      result.add(
          new DestinationCount(
              new Destination(
                  v4 ? Destination.Family.IPV4 : Destination.Family.IPV6,
                  address(v4, keys[k + 1], keys[k + 2]),
                  address(v4, keys[k + 3], keys[k + 4]),
                  (int) (keys[k] & 0xffff)),
              counts[slot]));
    }
    return result;
  }

  private static boolean mapped(long high, long low) {
    return high == 0 && (low >>> 32) == 0xffffL;
  }

  private boolean matches(
      int slot, long head, long localHigh, long localLow, long remoteHigh, long remoteLow) {
    int k = slot * KEY_LONGS;
    return keys[k] == head
        && keys[k + 1] == localHigh
        && keys[k + 2] == localLow
        && keys[k + 3] == remoteHigh
        && keys[k + 4] == remoteLow;
  }

  private static long mix(long a, long b, long c, long d, long e) {
    long h = step(0x9E3779B97F4A7C15L, a);
    h = step(h, b);
    h = step(h, c);
    h = step(h, d);
    return step(h, e);
  }

  private static long step(long h, long part) {
    long mixed = (h ^ part) * 0xBF58476D1CE4E5B9L;
    return mixed ^ (mixed >>> 31);
  }

  private static String address(boolean v4, long high, long low) {
    byte[] bytes = new byte[v4 ? 4 : 16];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) ((i < 8 ? high : low) >>> (56 - 8 * (i % 8)));
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The byte order and family numbers of inet_diag messages. */
  static final class Layout {
    static final java.lang.foreign.ValueLayout.OfLong BIG_LONG =
        java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    static final int AF_INET = 2;

    private Layout() {}
  }
}
