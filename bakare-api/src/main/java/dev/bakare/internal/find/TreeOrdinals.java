package dev.bakare.internal.find;

import dev.bakare.internal.format.ObjectId;

/**
 * Which trees the name index holds, by id: an open-addressed table of the ids' first 128 bits and their
 * ordinals, about 24 bytes per tree where a {@code HashMap<ObjectId, Integer>} takes about 130. Tree ids
 * are keyed MACs, so 128 bits are as good as unique (see {@link dev.bakare.internal.format.CompactIdSet}).
 */
final class TreeOrdinals {
  private static final float LOAD = 0.6f;

  private long[] keys;
  private int[] values;
  private int size;
  private int mask;

  TreeOrdinals(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, (int) (expected / LOAD)) - 1) << 1;
    keys = new long[capacity * 2];
    values = new int[capacity];
    mask = capacity - 1;
  }

  int size() {
    return size;
  }

  /** The ordinal of the tree, or -1 if the index does not hold it. */
  int get(ObjectId id) {
    return get(high(id), low(id));
  }

  private int get(long hi, long lo) {
    for (int i = slot(hi, lo); ; i = (i + 1) & mask) {
      long h = keys[2 * i];
      long l = keys[2 * i + 1];
      if (h == 0 && l == 0) {
        return -1;
      }
      if (h == hi && l == lo) {
        return values[i];
      }
    }
  }

  void put(ObjectId id, int ordinal) {
    if (size + 1 > (mask + 1) * LOAD) {
      grow();
    }
    insert(high(id), low(id), ordinal);
  }

  private static long high(ObjectId id) {
    return id.prefixLong(0);
  }

  private static long low(ObjectId id) {
    long lo = id.prefixLong(8);
    // Zero marks an empty slot; an id whose first 16 bytes are zero has probability 2^-128.
    return high(id) == 0 && lo == 0 ? 1 : lo;
  }

  private void insert(long hi, long lo, int ordinal) {
    for (int i = slot(hi, lo); ; i = (i + 1) & mask) {
      long h = keys[2 * i];
      long l = keys[2 * i + 1];
      if (h == 0 && l == 0) {
        keys[2 * i] = hi;
        keys[2 * i + 1] = lo;
        values[i] = ordinal;
        size++;
        return;
      }
      if (h == hi && l == lo) {
        values[i] = ordinal;
        return;
      }
    }
  }

  private int slot(long hi, long lo) {
    return (int) (hi ^ (lo >>> 17)) & mask;
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
