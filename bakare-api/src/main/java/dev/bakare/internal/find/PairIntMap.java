package dev.bakare.internal.find;

import dev.bakare.internal.format.ObjectId;

/**
 * An open-addressed map from a pair of longs to an int, in about 24 bytes per entry where a {@code
 * HashMap} takes over 100: tree ids (their first 128 bits, as good as unique for keyed MACs; see {@link
 * dev.bakare.internal.format.CompactIdSet}) to ordinals while the index is built, and (path, tree) pairs
 * to nodes while it is searched. Not thread-safe.
 */
final class PairIntMap {
  private static final float LOAD = 0.6f;

  private long[] keys;
  private int[] values;
  private int size;
  private int mask;

  PairIntMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, (int) (expected / LOAD)) - 1) << 1;
    keys = new long[capacity * 2];
    values = new int[capacity];
    mask = capacity - 1;
  }

  int size() {
    return size;
  }

  /** The value of the tree id, or -1. */
  int get(ObjectId id) {
    return get(id.prefixLong(0), id.prefixLong(8));
  }

  void put(ObjectId id, int value) {
    put(id.prefixLong(0), id.prefixLong(8), value);
  }

  /** The value of the pair, or -1. */
  int get(long hi, long lo) {
    long l = nonZero(hi, lo);
    for (int i = slot(hi, l); ; i = (i + 1) & mask) {
      long h = keys[2 * i];
      long k = keys[2 * i + 1];
      if (h == 0 && k == 0) {
        return -1;
      }
      if (h == hi && k == l) {
        return values[i];
      }
    }
  }

  void put(long hi, long lo, int value) {
    if (size + 1 > (mask + 1) * LOAD) {
      grow();
    }
    insert(hi, nonZero(hi, lo), value);
  }

  /** Zero marks an empty slot; the pair (0, 0) is stored as (0, 1), which no caller uses otherwise. */
  private static long nonZero(long hi, long lo) {
    return hi == 0 && lo == 0 ? 1 : lo;
  }

  private void insert(long hi, long lo, int value) {
    for (int i = slot(hi, lo); ; i = (i + 1) & mask) {
      long h = keys[2 * i];
      long k = keys[2 * i + 1];
      if (h == 0 && k == 0) {
        keys[2 * i] = hi;
        keys[2 * i + 1] = lo;
        values[i] = value;
        size++;
        return;
      }
      if (h == hi && k == lo) {
        values[i] = value;
        return;
      }
    }
  }

  private int slot(long hi, long lo) {
    return (int) ScannedTree.mix(hi ^ lo * 0x9E3779B97F4A7C15L) & mask;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    int capacity = (mask + 1) * 2;
    keys = new long[capacity * 2];
    values = new int[capacity];
    mask = capacity - 1;
    size = 0;
    for (int i = 0; i < oldValues.length; i++) {
      if (oldKeys[2 * i] != 0 || oldKeys[2 * i + 1] != 0) {
        insert(oldKeys[2 * i], oldKeys[2 * i + 1], oldValues[i]);
      }
    }
  }
}
