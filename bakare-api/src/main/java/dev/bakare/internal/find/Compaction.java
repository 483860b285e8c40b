package dev.bakare.internal.find;

import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.NodeType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the name index as a new generation holding only the trees of snapshots still in the
 * repository, with each name stored once per file again. Every search adds a file, and forgotten
 * snapshots leave trees behind, so the index is compacted when it has many files or mostly forgotten
 * snapshots. Reads nothing from the repository.
 */
final class Compaction {
  /** An index of more files than this is compacted. */
  static final int MAX_FILES = 16;

  private Compaction() {}

  /** Whether {@code index} is worth compacting, given the snapshots the repository holds. */
  static boolean worthwhile(NameIndex index, Set<ObjectId> stored) {
    if (index.segments().size() > MAX_FILES) {
      return true;
    }
    int gone = 0;
    int kept = 0;
    for (NameSegment segment : index.segments()) {
      for (NameSegment.IndexedSnapshot s : segment.snapshots) {
        if (stored.contains(s.id())) {
          kept++;
        } else {
          gone++;
        }
      }
    }
    return gone > Math.max(kept, 8);
  }

  /** Writes the snapshots of {@code old} that are in {@code stored}, and their trees, as the next generation. */
  static NameIndex run(NameIndex old, Set<ObjectId> stored, SegmentWriter.Sink sink) throws IOException {
    int trees = old.treeCount();
    boolean[] live = new boolean[trees];
    Map<Integer, List<NameSegment.IndexedSnapshot>> rootsOf = new HashMap<>();
    for (NameSegment segment : old.segments()) {
      for (NameSegment.IndexedSnapshot s : segment.snapshots) {
        if (stored.contains(s.id())) {
          live[s.root()] = true;
          rootsOf.computeIfAbsent(s.root(), r -> new ArrayList<>()).add(s);
        }
      }
    }
    RecordCursor cursor = new RecordCursor();
    // Subtrees have smaller ordinals than their parents, so one pass from the top marks everything live.
    for (int ordinal = trees - 1; ordinal >= 0; ordinal--) {
      if (live[ordinal]) {
        NameSegment segment = old.segmentOf(ordinal);
        cursor.open(segment, ordinal - segment.treeBase);
        for (int d = 0; d < cursor.directories; d++) {
          cursor.nextDirectory();
          if (cursor.subtree >= 0) {
            live[cursor.subtree] = true;
          }
        }
      }
    }
    NameIndex fresh = new NameIndex(old.generation() + 1);
    SegmentWriter writer = new SegmentWriter(fresh, sink);
    int[] renumbered = new int[trees];
    int[] subtrees = new int[16];
    for (int ordinal = 0; ordinal < trees; ordinal++) {
      if (!live[ordinal]) {
        continue;
      }
      NameSegment segment = old.segmentOf(ordinal);
      cursor.open(segment, ordinal - segment.treeBase);
      if (subtrees.length < cursor.directories) {
        subtrees = new int[cursor.directories * 2];
      }
      int directories = cursor.directories;
      for (int d = 0; d < directories; d++) {
        cursor.nextDirectory();
        subtrees[d] = cursor.subtree < 0 ? -1 : renumbered[cursor.subtree];
      }
      cursor.skipToEntries(directories);
      int directory = 0;
      for (int e = 0; e < cursor.entries; e++) {
        cursor.nextEntry();
        NodeType type = nodeType(cursor.kind);
        // The writer lists directories in entry order, so the n-th directory entry has the n-th subtree.
        int subtree = type == NodeType.DIRECTORY ? subtrees[directory++] : -1;
        writer.entry(segment.name(cursor.name), type, (cursor.kind & NameSegment.ERROR_FLAG) != 0, cursor.size,
            cursor.mtimeSeconds, cursor.mtimeNanos, cursor.fingerprint, subtree);
      }
      ObjectId id = segment.treeId(ordinal - segment.treeBase);
      renumbered[ordinal] = writer.endTree(id);
      for (NameSegment.IndexedSnapshot s : rootsOf.getOrDefault(ordinal, List.of())) {
        writer.snapshot(new NameSegment.IndexedSnapshot(s.id(), s.time(), s.host(), renumbered[ordinal]));
      }
      writer.flushIfFull();
    }
    writer.finish();
    return fresh;
  }

  private static NodeType nodeType(int kind) {
    try {
      return NodeType.fromCode(kind & 7);
    } catch (CorruptDataException e) {
      throw new IllegalStateException("a checked name index record has entry kind " + kind, e);
    }
  }
}
