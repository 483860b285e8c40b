package dev.bakare.internal.find;

import dev.bakare.internal.format.ObjectId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The name index in memory: a chain of {@link NameSegment}s of one generation, whose trees have
 * consecutive ordinals, and the snapshots they complete. Not thread-safe.
 */
final class NameIndex {
  private final int generation;
  private final List<NameSegment> segments = new ArrayList<>();
  private int[] bases = new int[0];
  private int treeCount;
  private final Map<ObjectId, NameSegment.IndexedSnapshot> snapshots = new HashMap<>();
  private @Nullable TreeOrdinals ordinals;

  NameIndex(int generation) {
    this.generation = generation;
  }

  int generation() {
    return generation;
  }

  /** The sequence number the next file of this generation gets. */
  int nextSequence() {
    return segments.size();
  }

  int treeCount() {
    return treeCount;
  }

  List<NameSegment> segments() {
    return segments;
  }

  /** Appends the next file of the chain. */
  void add(NameSegment segment) {
    if (segment.treeBase != treeCount || segment.sequence != segments.size() || segment.generation != generation) {
      throw new IllegalArgumentException("name index file " + segment.generation + "-" + segment.sequence
          + " does not continue the chain at tree " + treeCount);
    }
    segments.add(segment);
    bases = Arrays.copyOf(bases, segments.size());
    bases[segments.size() - 1] = segment.treeBase;
    treeCount += segment.treeCount;
    for (NameSegment.IndexedSnapshot s : segment.snapshots) {
      snapshots.put(s.id(), s);
    }
    TreeOrdinals known = ordinals;
    if (known != null) {
      addIds(known, segment);
    }
  }

  /** The file holding tree {@code ordinal}. */
  NameSegment segmentOf(int ordinal) {
    int i = Arrays.binarySearch(bases, ordinal);
    return segments.get(i >= 0 ? i : -i - 2);
  }

  NameSegment.@Nullable IndexedSnapshot snapshot(ObjectId id) {
    return snapshots.get(id);
  }

  /** The ordinals of the indexed trees by id; built on first use (only building the index needs it). */
  TreeOrdinals ordinals() {
    TreeOrdinals known = ordinals;
    if (known == null) {
      known = new TreeOrdinals(Math.max(1024, treeCount + treeCount / 4));
      for (NameSegment segment : segments) {
        addIds(known, segment);
      }
      ordinals = known;
    }
    return known;
  }

  private static void addIds(TreeOrdinals known, NameSegment segment) {
    for (int i = 0; i < segment.treeCount; i++) {
      known.put(segment.treeId(i), segment.treeBase + i);
    }
  }

  /** Bytes of memory the decoded files take. */
  long memoryBytes() {
    long total = 0;
    for (NameSegment segment : segments) {
      total += segment.memoryBytes();
    }
    return total;
  }
}
