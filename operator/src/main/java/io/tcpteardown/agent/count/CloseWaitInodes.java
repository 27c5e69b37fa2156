package io.tcpteardown.agent.count;

/**
 * The inodes of a namespace's CLOSE_WAIT sockets, kept up to a fixed capacity, with an exact count
 * of those that did not fit: however many sockets a namespace holds, this takes at most {@code 32 *
 * capacity} bytes (an open-addressing table of longs at most half full, 512 KiB at the default
 * capacity). Inode 0 (a socket no process owns) is never kept. Reused between namespaces; one
 * caller at a time.
 */
public final class CloseWaitInodes {
  /** The capacity the agent uses: 32,768 inodes, a 512 KiB table. */
  public static final int DEFAULT_CAPACITY = 32_768;

  private final int capacity;
  private final long[] table;
  private final int mask;
  private int kept;
  private long dropped;

  public CloseWaitInodes(int capacity) {
    if (capacity < 1 || capacity > 1 << 24) {
      throw new IllegalArgumentException(
          "the CLOSE_WAIT inode capacity must be 1 to 16,777,216, not " + capacity);
    }
    this.capacity = capacity;
    this.table = new long[Integer.highestOneBit(capacity - 1 | 1) << 2];
    this.mask = table.length - 1;
  }

  public CloseWaitInodes() {
    this(DEFAULT_CAPACITY);
  }

  /** Forgets every inode and the count of the rest. */
  public void clear() {
    java.util.Arrays.fill(table, 0);
    kept = 0;
    dropped = 0;
  }

  /** Keeps {@code inode} if there is room, else counts it among the rest; 0 is ignored. */
  public void add(long inode) {
    if (inode == 0) {
      return;
    }
    int slot = slot(inode);
    while (table[slot] != 0) {
      if (table[slot] == inode) {
        return;
      }
      slot = (slot + 1) & mask;
    }
    if (kept == capacity) {
      dropped++;
      return;
    }
    table[slot] = inode;
    kept++;
  }

  public boolean contains(long inode) {
    if (inode == 0) {
      return false;
    }
    int slot = slot(inode);
    while (table[slot] != 0) {
      if (table[slot] == inode) {
        return true;
      }
      slot = (slot + 1) & mask;
    }
    return false;
  }

  /** How many inodes are kept. */
  public int kept() {
    return kept;
  }

  /** How many CLOSE_WAIT sockets with an owner were seen beyond the capacity (not kept). */
  public long dropped() {
    return dropped;
  }

  public int capacity() {
    return capacity;
  }

  public boolean isEmpty() {
    return kept == 0;
  }

  private int slot(long inode) {
    long h = inode * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 32) & mask;
  }
}
