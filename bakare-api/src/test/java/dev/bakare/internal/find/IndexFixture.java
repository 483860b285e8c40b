package dev.bakare.internal.find;

import dev.bakare.FindQuery;
import dev.bakare.FoundPath;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import dev.bakare.internal.tree.Tree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds name indexes the way {@link IndexBuilder} does (post-order, each tree once), from snapshots given
 * as maps of paths to contents, through real tree encodings but without a repository.
 */
final class IndexFixture {
  /** A snapshot: its files, by absolute path, with a number standing for their content. */
  record Snapshot(String name, Instant time, String host, Map<String, Long> files) {
    ObjectId id() {
      return ObjectId.wrap(Crypto.sha256(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
  }

  /** A directory being assembled: its files and subdirectories by name. */
  private static final class Dir {
    final Map<String, Long> files = new TreeMap<>();
    final Map<String, Dir> dirs = new TreeMap<>();
  }

  private final Map<ObjectId, byte[]> trees = new java.util.HashMap<>();

  /** The plaintext of every tree made so far, by id: what a repository would hold. */
  Map<ObjectId, byte[]> trees() {
    return trees;
  }

  /** Encodes a snapshot's trees and returns its root tree id. */
  ObjectId encode(Snapshot snapshot) {
    Dir root = new Dir();
    for (Map.Entry<String, Long> file : snapshot.files().entrySet()) {
      String[] parts = file.getKey().substring(1).split("/");
      Dir dir = root;
      for (int i = 0; i < parts.length - 1; i++) {
        dir = dir.dirs.computeIfAbsent(parts[i], p -> new Dir());
      }
      dir.files.put(parts[parts.length - 1], file.getValue());
    }
    return encode(root, snapshot.time());
  }

  private ObjectId encode(Dir dir, Instant time) {
    List<Node> nodes = new ArrayList<>();
    for (Map.Entry<String, Dir> sub : dir.dirs.entrySet()) {
      nodes.add(new Node(sub.getKey(), NodeType.DIRECTORY, 0755, 0, 0, "", "", time, time, 0, 0, 2, 0, List.of(),
          encode(sub.getValue(), time), "", ""));
    }
    for (Map.Entry<String, Long> file : dir.files.entrySet()) {
      long content = file.getValue();
      byte[] chunk = ByteBuffer.allocate(32).putLong(content).putLong(~content).array();
      // The modification time follows the content, as it does when a file is edited.
      Instant mtime = Instant.ofEpochSecond(1_600_000_000L + content);
      nodes.add(new Node(file.getKey(), NodeType.FILE, 0644, 0, 0, "", "", mtime, mtime, 0, 0, 1, content * 10,
          List.of(ObjectId.wrap(chunk)), null, "", ""));
    }
    byte[] encoded = new Tree(nodes).encode();
    ObjectId id = ObjectId.wrap(Crypto.sha256(encoded));
    trees.put(id, encoded);
    return id;
  }

  /**
   * Indexes the snapshots into {@code index}, as the builder does.
   *
   * @param fileEach finish a file after each snapshot (as separate searches do), else only at the end
   */
  void index(NameIndex index, List<Snapshot> snapshots, NameFileWriter.Sink sink, boolean fileEach)
      throws IOException, CorruptDataException {
    PairIntMap ordinals = index.ordinals();
    try (NameFileWriter writer = new NameFileWriter(index, sink, NameFileWriter.MAX_VERSIONS_PER_FILE)) {
      for (Snapshot s : snapshots) {
        int root = write(encode(s), ordinals, writer);
        writer.snapshot(new NameFile.IndexedSnapshot(s.id(), s.time(), s.host(), root));
        if (fileEach) {
          writer.finish();
        }
      }
      writer.finish();
    }
  }

  private int write(ObjectId id, PairIntMap ordinals, NameFileWriter writer) throws CorruptDataException {
    int known = ordinals.get(id);
    if (known >= 0) {
      return known;
    }
    ScannedTree tree = ScannedTree.scan(trees.get(id));
    int[] subtrees = new int[tree.count];
    for (int i = 0; i < tree.count; i++) {
      ObjectId subtree = tree.subtrees[i];
      subtrees[i] = subtree == null ? -1 : write(subtree, ordinals, writer);
    }
    for (int i = 0; i < tree.count; i++) {
      writer.entry(tree.bytes, tree.nameOffsets[i], tree.nameLengths[i], tree.kinds[i], tree.sizes[i], tree.mtimes[i],
          tree.fingerprints[i], subtrees[i]);
    }
    int ordinal = writer.endTree(id);
    ordinals.put(id, ordinal);
    return ordinal;
  }

  /** Searches the index over all its snapshots, oldest first; every match in the order it was handed over. */
  static List<FoundPath> search(NameIndex index, List<Snapshot> snapshots, FindQuery query)
      throws IOException, CorruptDataException {
    List<NameFile.IndexedSnapshot> selected = new ArrayList<>();
    for (Snapshot s : snapshots) {
      NameFile.IndexedSnapshot indexed = index.snapshot(s.id());
      if (indexed != null) {
        selected.add(indexed);
      }
    }
    List<FoundPath> found = new ArrayList<>();
    new NameSearch(index, selected, Patterns.matcher(query.mode(), query.pattern()), query, found::add, null).run();
    return found;
  }
}
