package dev.bakare.internal.find;

import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.NodeType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the name index as a new generation holding only the trees of snapshots still in the
 * repository, in as few files as the size limit allows. Every search that indexes new snapshots adds a
 * file (each with its own copy of the names it uses), and forgotten snapshots leave trees behind, so the
 * index is compacted when it has many files or mostly forgotten snapshots. Reads nothing from the
 * repository: each old file's postings are turned back into trees and written again, renumbered.
 */
final class Compaction {
  /** An index of more files than this is compacted. */
  static final int MAX_FILES = 16;

  private Compaction() {}

  /** Whether {@code index} is worth compacting, given the snapshots the repository holds. */
  static boolean worthwhile(NameIndex index, Set<ObjectId> stored) {
    if (index.files().size() > MAX_FILES) {
      return true;
    }
    int gone = 0;
    int kept = 0;
    for (NameFile file : index.files()) {
      for (NameFile.IndexedSnapshot s : file.snapshots) {
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
  static NameIndex run(NameIndex old, Set<ObjectId> stored, NameFileWriter.Sink sink, int versionsPerFile)
      throws IOException, CorruptDataException {
    int trees = old.treeCount();
    boolean[] live = new boolean[trees];
    Map<Integer, List<NameFile.IndexedSnapshot>> rootsOf = new HashMap<>();
    for (NameFile file : old.files()) {
      for (NameFile.IndexedSnapshot s : file.snapshots) {
        if (stored.contains(s.id())) {
          live[s.root()] = true;
          rootsOf.computeIfAbsent(s.root(), r -> new ArrayList<>()).add(s);
        }
      }
    }
    // Subtrees have smaller ordinals than their parents, so one pass from the top marks everything live.
    for (int ordinal = trees - 1; ordinal >= 0; ordinal--) {
      if (live[ordinal]) {
        NameFile file = old.fileOf(ordinal);
        VarintReader dirs = new VarintReader(file.head(), file.directories(ordinal - file.treeBase));
        for (int d = (int) dirs.varint(); d > 0; d--) {
          dirs.varint();
          live[(int) dirs.varint() - 1] = true;
        }
      }
    }
    NameIndex fresh = new NameIndex(old.generation() + 1);
    try (NameFileWriter writer = new NameFileWriter(fresh, sink, versionsPerFile)) {
      int[] renumbered = new int[trees];
      for (NameFile file : old.files()) {
        copy(file, live, renumbered, rootsOf, writer);
      }
      writer.finish();
      return fresh;
    } catch (IOException | CorruptDataException | RuntimeException e) {
      fresh.close();
      throw e;
    }
  }

  /** Entries of one old file, regrouped by tree. */
  private static void copy(NameFile file, boolean[] live, int[] renumbered,
      Map<Integer, List<NameFile.IndexedSnapshot>> rootsOf, NameFileWriter writer) throws IOException, CorruptDataException {
    VersionRows all = new VersionRows(1024);
    PostingCursor postings = new PostingCursor();
    for (int name = 0; name < file.nameCount(); name++) {
      postings.open(file, name);
      for (int v = 0; v < postings.versions; v++) {
        postings.nextVersion();
        for (int r = 0; r < postings.trees; r++) {
          int tree = postings.nextTree();
          if (live[tree]) {
            all.add(tree - file.treeBase, name, postings);
          }
        }
      }
    }
    int[] start = new int[file.treeCount + 1];
    int[] order = all.byPlace(file.treeCount, start);
    byte[][] names = new byte[file.nameCount()][];
    Map<Integer, Integer> subtrees = new HashMap<>();
    for (int local = 0; local < file.treeCount; local++) {
      int ordinal = file.treeBase + local;
      if (!live[ordinal]) {
        continue;
      }
      subtrees.clear();
      VarintReader dirs = new VarintReader(file.head(), file.directories(local));
      for (int d = (int) dirs.varint(); d > 0; d--) {
        int name = (int) dirs.varint();
        subtrees.put(name, (int) dirs.varint() - 1);
      }
      for (int i = start[local]; i < start[local + 1]; i++) {
        int o = order[i];
        int name = all.names[o];
        byte[] bytes = names[name];
        if (bytes == null) {
          bytes = file.name(name).getBytes(StandardCharsets.UTF_8);
          names[name] = bytes;
        }
        Integer subtree = (all.kinds[o] & 7) == NodeType.DIRECTORY.code() ? subtrees.get(name) : null;
        writer.entry(bytes, 0, bytes.length, all.kinds[o], all.sizes[o], all.times[o], all.prints[o],
            subtree == null ? -1 : renumbered[subtree]);
      }
      renumbered[ordinal] = writer.endTree(file.treeId(local));
      for (NameFile.IndexedSnapshot s : rootsOf.getOrDefault(ordinal, List.of())) {
        writer.snapshot(new NameFile.IndexedSnapshot(s.id(), s.time(), s.host(), renumbered[ordinal]));
      }
      writer.flushIfFull();
    }
  }
}
