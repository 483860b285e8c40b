package dev.bakare.internal.format;

/**
 * A set of ids in 16 bytes each (two longs of an open-addressed table), where a {@code HashSet<ObjectId>}
 * takes about 100: prune and check hold every chunk id of a repository at once. Keeping the first 128 of
 * the 256 bits is exact for practical purposes (ids are uniformly random; a collision among 2^40 ids has
 * probability about 2^-49), and a collision could only make an id look present, which keeps data. Not
 * thread-safe.
 */
public final class CompactIdSet {
  private static final float LOAD = 0.6f;

  private long[] slots;
  private int size;
  private int mask;

  public CompactIdSet() {
    this(1024);
  }

  public CompactIdSet(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, (int) (expected / LOAD)) - 1) << 1;
    slots = new long[capacity * 2];
    mask = capacity - 1;
  }

  public int size() {
    return size;
  }

  /** Adds the id; returns false if it was present. */
  public boolean add(ObjectId id) {
    long hi = id.prefixLong(0);
    long lo = id.prefixLong(8);
    if (hi == 0 && lo == 0) {
      // The empty-slot marker; an id whose first 16 bytes are zero has probability 2^-128.
      lo = 1;
    }
    if (size + 1 > (mask + 1) * LOAD) {
      grow();
    }
    return insert(hi, lo);
  }

  public boolean contains(ObjectId id) {
    long hi = id.prefixLong(0);
    long lo = id.prefixLong(8);
    if (hi == 0 && lo == 0) {
      lo = 1;
    }
    for (int i = index(hi, lo); ; i = (i + 1) & mask) {
      long h = slots[2 * i];
      long l = slots[2 * i + 1];
      if (h == 0 && l == 0) {
        return false;
      }
      if (h == hi && l == lo) {
        return true;
      }
    }
  }

  private boolean insert(long hi, long lo) {
    for (int i = index(hi, lo); ; i = (i + 1) & mask) {
      long h = slots[2 * i];
      long l = slots[2 * i + 1];
      if (h == 0 && l == 0) {
        slots[2 * i] = hi;
        slots[2 * i + 1] = lo;
        size++;
        return true;
      }
      if (h == hi && l == lo) {
        return false;
      }
    }
  }

  private int index(long hi, long lo) {
    return (int) (hi ^ (lo >>> 17)) & mask;
  }

  private void grow() {
    long[] old = slots;
    int capacity = (mask + 1) * 2;
    slots = new long[capacity * 2];
    mask = capacity - 1;
    size = 0;
    for (int i = 0; i < old.length; i += 2) {
      if (old[i] != 0 || old[i + 1] != 0) {
        insert(old[i], old[i + 1]);
      }
    }
  }
}
