package dev.bakare.internal.find;

import dev.bakare.IntegrityException;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.tree.Tree;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import org.jspecify.annotations.Nullable;

/**
 * Adds snapshots to the name index: walks each snapshot's trees depth first, skipping every tree the
 * index already holds (content addressing makes an unchanged directory the same tree in every snapshot,
 * so it is read and indexed once), and writes each new tree after its subtrees. Tree reads run on a pool
 * of threads a few directories ahead of the walk, which stays on the calling thread; they also parse the
 * trees ({@link ScannedTree}). Files are written as they fill; each holds only complete subtrees, so an
 * interrupted build leaves a usable index. Not thread-safe.
 */
final class IndexBuilder implements AutoCloseable {
  /** How many subdirectories of one directory are read ahead of the walk. */
  private static final int READ_AHEAD = 16;

  /** Progress of the build so far. */
  interface Progress {
    void treesRead(long count);
  }

  private final ContentReader reader;
  private final Progress progress;
  private final ExecutorService pool;
  private final PairIntMap ordinals;
  private final NameFileWriter writer;
  private final Map<ObjectId, FutureTask<ScannedTree>> reading = new HashMap<>();
  private long treesRead;

  IndexBuilder(ContentReader reader, NameIndex index, NameFileWriter.Sink sink, Progress progress, int threads)
      throws IOException, CorruptDataException {
    this.reader = reader;
    this.progress = progress;
    this.ordinals = index.ordinals();
    this.writer = new NameFileWriter(index, sink);
    this.pool = Executors.newFixedThreadPool(Math.max(1, threads), runnable -> {
      Thread t = new Thread(runnable, "bakare-name-index");
      t.setDaemon(true);
      return t;
    });
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
    try {
      int rootOrdinal = indexTree(root);
      writer.snapshot(new NameFile.IndexedSnapshot(snapshot, time, host, rootOrdinal));
    } finally {
      for (FutureTask<ScannedTree> pending : reading.values()) {
        pending.cancel(true);
      }
      reading.clear();
    }
  }

  /** Writes what is pending. */
  void finish() throws IOException {
    writer.finish();
  }

  /** A directory on the walk's stack: its tree once read, and which of its subtrees are done. */
  private static final class Frame {
    final ObjectId id;
    final FutureTask<ScannedTree> future;
    @Nullable ScannedTree tree;
    List<ObjectId> subtrees = List.of();
    int next;
    int readAhead;

    Frame(ObjectId id, FutureTask<ScannedTree> future) {
      this.id = id;
      this.future = future;
    }
  }

  private int indexTree(ObjectId root) throws IOException {
    int known = ordinals.get(root);
    if (known >= 0) {
      return known;
    }
    Deque<Frame> stack = new ArrayDeque<>();
    stack.push(new Frame(root, take(root)));
    while (true) {
      Frame frame = stack.element();
      ScannedTree tree = frame.tree;
      if (tree == null) {
        tree = await(frame);
        frame.tree = tree;
        frame.subtrees = unindexedSubtrees(tree);
      }
      readAhead(frame);
      Frame child = null;
      while (frame.next < frame.subtrees.size()) {
        ObjectId subtree = frame.subtrees.get(frame.next);
        if (ordinals.get(subtree) >= 0) {
          frame.next++;
        } else {
          child = new Frame(subtree, take(subtree));
          break;
        }
      }
      if (child != null) {
        String tooDeep = Tree.tooDeep(stack.size() + 1);
        if (tooDeep != null) {
          throw new IntegrityException("snapshot tree " + root.shortHex(), tooDeep, null);
        }
        stack.push(child);
        continue;
      }
      int ordinal = write(frame.id, tree);
      ordinals.put(frame.id, ordinal);
      stack.pop();
      if (stack.isEmpty()) {
        return ordinal;
      }
    }
  }

  private List<ObjectId> unindexedSubtrees(ScannedTree tree) {
    LinkedHashSet<ObjectId> subtrees = new LinkedHashSet<>();
    for (int i = 0; i < tree.count; i++) {
      ObjectId subtree = tree.subtrees[i];
      if (subtree != null && ordinals.get(subtree) < 0) {
        subtrees.add(subtree);
      }
    }
    return new ArrayList<>(subtrees);
  }

  /** Starts reading the frame's next few subtrees that are neither indexed nor being read. */
  private void readAhead(Frame frame) {
    int until = Math.min(frame.subtrees.size(), frame.next + READ_AHEAD);
    for (int i = Math.max(frame.readAhead, frame.next); i < until; i++) {
      ObjectId subtree = frame.subtrees.get(i);
      if (ordinals.get(subtree) < 0 && !reading.containsKey(subtree)) {
        reading.put(subtree, submit(subtree));
      }
    }
    frame.readAhead = Math.max(frame.readAhead, until);
  }

  private FutureTask<ScannedTree> take(ObjectId id) {
    FutureTask<ScannedTree> future = reading.remove(id);
    return future != null ? future : submit(id);
  }

  private FutureTask<ScannedTree> submit(ObjectId id) {
    FutureTask<ScannedTree> task = new FutureTask<>(() -> {
      byte[] bytes = reader.read(id, ChunkType.TREE);
      try {
        return ScannedTree.scan(bytes);
      } catch (CorruptDataException e) {
        throw new IntegrityException("tree " + id.shortHex(), e.getMessage(), e);
      }
    });
    pool.execute(task);
    return task;
  }

  private ScannedTree await(Frame frame) throws IOException {
    try {
      // A read no reading thread has started yet is done here: a tree takes microseconds to read, less
      // than handing it between threads, and the walk needs it now. One already started is waited for;
      // the reading thread then finds this one done and moves on.
      frame.future.run();
      ScannedTree tree = frame.future.get();
      progress.treesRead(++treesRead);
      return tree;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading trees for the name index");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException("reading tree " + frame.id.shortHex() + " failed: " + cause, cause);
    }
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
    pool.shutdownNow();
    writer.close();
  }
}
