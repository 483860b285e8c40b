package dev.bakare.internal.find;

import dev.bakare.IntegrityException;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.Tree;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Adds snapshots to the name index: walks each snapshot's trees depth first, skipping every tree the
 * index already holds (content addressing makes an unchanged directory the same tree in every snapshot,
 * so it is read and indexed once), and writes each new tree after its subtrees. Trees are read and parsed
 * ({@link ScannedTree}) on the walk's own thread: one takes microseconds, less than handing it to another
 * thread, and reading ahead on a pool made the 100 x 1,000,000 benchmark slower on two cores
 * (docs/design.md, 15.7). Files are encoded on the writer's thread as they fill; each holds only complete
 * subtrees, so an interrupted build leaves a usable index. Not thread-safe.
 */
final class IndexBuilder implements AutoCloseable {
  /** Progress of the build so far. */
  interface Progress {
    void treesRead(long count);
  }

  private final ContentReader reader;
  private final Progress progress;
  private final PairIntMap ordinals;
  private final NameFileWriter writer;
  private long treesRead;

  IndexBuilder(ContentReader reader, NameIndex index, NameFileWriter.Sink sink, Progress progress, int versionsPerFile)
      throws IOException, CorruptDataException {
    this.reader = reader;
    this.progress = progress;
    this.ordinals = index.ordinals();
    this.writer = new NameFileWriter(index, sink, versionsPerFile);
  }

  long treesRead() {
    return treesRead;
  }

  /**
   * Indexes one snapshot's trees and records the snapshot.
   *
   * @throws IntegrityException if a tree of the snapshot is damaged or missing: the snapshot is not
   *     recorded, and the complete subtrees indexed before stay
   */
  void add(ObjectId snapshot, Instant time, String host, ObjectId root) throws IOException {
    int rootOrdinal = indexTree(root);
    writer.snapshot(new NameFile.IndexedSnapshot(snapshot, time, host, rootOrdinal));
  }

  /** Writes what is pending. */
  void finish() throws IOException {
    writer.finish();
  }

  /** A directory on the walk's stack: its tree, its subtrees not indexed when it was read, the next one. */
  private static final class Frame {
    final ObjectId id;
    final ScannedTree tree;
    final List<ObjectId> subtrees;
    int next;

    Frame(ObjectId id, ScannedTree tree, List<ObjectId> subtrees) {
      this.id = id;
      this.tree = tree;
      this.subtrees = subtrees;
    }
  }

  private int indexTree(ObjectId root) throws IOException {
    int known = ordinals.get(root);
    if (known >= 0) {
      return known;
    }
    Deque<Frame> stack = new ArrayDeque<>();
    stack.push(frame(root));
    while (true) {
      Frame frame = stack.element();
      ObjectId child = null;
      while (frame.next < frame.subtrees.size()) {
        ObjectId subtree = frame.subtrees.get(frame.next++);
        // Indexed meanwhile if it also appears earlier in this walk.
        if (ordinals.get(subtree) < 0) {
          child = subtree;
          break;
        }
      }
      if (child != null) {
        String tooDeep = Tree.tooDeep(stack.size() + 1);
        if (tooDeep != null) {
          throw new IntegrityException("snapshot tree " + root.shortHex(), tooDeep, null);
        }
        stack.push(frame(child));
        continue;
      }
      int ordinal = write(frame.id, frame.tree);
      ordinals.put(frame.id, ordinal);
      stack.pop();
      if (stack.isEmpty()) {
        return ordinal;
      }
    }
  }

  private Frame frame(ObjectId id) throws IOException {
    byte[] bytes = reader.read(id, ChunkType.TREE);
    ScannedTree tree;
    try {
      tree = ScannedTree.scan(bytes);
    } catch (CorruptDataException e) {
      throw new IntegrityException("tree " + id.shortHex(), e.getMessage(), e);
    }
    progress.treesRead(++treesRead);
    LinkedHashSet<ObjectId> subtrees = new LinkedHashSet<>();
    for (int i = 0; i < tree.count; i++) {
      ObjectId subtree = tree.subtrees[i];
      if (subtree != null && ordinals.get(subtree) < 0) {
        subtrees.add(subtree);
      }
    }
    return new Frame(id, tree, new ArrayList<>(subtrees));
  }

  private int write(ObjectId id, ScannedTree tree) throws IOException {
    for (int i = 0; i < tree.count; i++) {
      ObjectId subtree = tree.subtrees[i];
      writer.entry(tree.bytes, tree.nameOffsets[i], tree.nameLengths[i], tree.nameHashes[i], tree.versionHashes[i],
          tree.kinds[i], tree.sizes[i], tree.mtimes[i], tree.fingerprints[i], subtree == null ? -1 : ordinals.get(subtree));
    }
    int ordinal = writer.endTree(id);
    // Every file holds whole subtrees (children come first), so one may end after any tree.
    writer.flushIfFull();
    return ordinal;
  }

  @Override
  public void close() {
    writer.close();
  }
}
