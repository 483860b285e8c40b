package dev.bakare.internal.find;

import java.util.Arrays;

/**
 * Versions read from a {@link PostingCursor} (kind, size, time, fingerprint), each tagged with where it
 * was found: a search's node, or compaction's tree and name. Column arrays, so millions of rows cost no
 * objects. Not thread-safe.
 */
final class VersionRows {
  int count;
  int[] places;
  int[] names;
  int[] kinds;
  long[] sizes;
  long[] times;
  long[] prints;

  VersionRows(int capacity) {
    places = new int[capacity];
    names = new int[capacity];
    kinds = new int[capacity];
    sizes = new long[capacity];
    times = new long[capacity];
    prints = new long[capacity];
  }

  void add(int place, int name, PostingCursor version) {
    if (count == places.length) {
      int n = Math.max(2, count * 2);
      places = Arrays.copyOf(places, n);
      names = Arrays.copyOf(names, n);
      kinds = Arrays.copyOf(kinds, n);
      sizes = Arrays.copyOf(sizes, n);
      times = Arrays.copyOf(times, n);
      prints = Arrays.copyOf(prints, n);
    }
    places[count] = place;
    names[count] = name;
    kinds[count] = version.kind;
    sizes[count] = version.size;
    times[count] = version.mtimeSeconds;
    prints[count] = version.fingerprint;
    count++;
  }

  /**
   * Row numbers grouped by place (a counting sort, stable): place {@code p}'s rows are {@code
   * order[starts[p]] .. order[starts[p + 1] - 1]}, where {@code starts} is filled in.
   */
  int[] byPlace(int places, int[] starts) {
    for (int i = 0; i < count; i++) {
      starts[this.places[i] + 1]++;
    }
    for (int p = 0; p < places; p++) {
      starts[p + 1] += starts[p];
    }
    int[] fill = Arrays.copyOf(starts, places);
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[fill[this.places[i]]++] = i;
    }
    return order;
  }
}
