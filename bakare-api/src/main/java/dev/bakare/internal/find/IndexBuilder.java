package dev.bakare.internal.find;

import dev.bakare.IntegrityException;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.restore.SafeNames;
import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
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
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Adds snapshots to the name index: walks each snapshot's trees depth first, skipping every tree the
 * index already holds (content addressing makes an unchanged directory the same tree in every snapshot,
 * so it is read and indexed once), and writes each new tree after its subtrees. Tree reads run on a pool
 * of threads a few directories ahead of the walk, which stays on the calling thread. Files are handed to
 * the {@link Sink} as they fill; each holds only complete subtrees, so an interrupted build leaves a
 * usable index. Not thread-safe.
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
  private final TreeOrdinals ordinals;
  private final SegmentWriter writer;
  private final Map<ObjectId, Future<Tree>> reading = new HashMap<>();
  private long treesRead;

  IndexBuilder(ContentReader reader, NameIndex index, SegmentWriter.Sink sink, Progress progress, int threads) {
    this.reader = reader;
    this.progress = progress;
    this.pool = Executors.newFixedThreadPool(Math.max(1, threads), runnable -> {
      Thread t = new Thread(runnable, "bakare-name-index");
      t.setDaemon(true);
      return t;
    });
    this.ordinals = index.ordinals();
    this.writer = new SegmentWriter(index, sink);
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
      writer.snapshot(new NameSegment.IndexedSnapshot(snapshot, time, host, rootOrdinal));
    } finally {
      for (Future<Tree> pending : reading.values()) {
        pending.cancel(true);
      }
      reading.clear();
    }
    writer.flushIfFull();
  }

  /** Writes what is pending. */
  void finish() throws IOException {
    writer.finish();
  }

  /** A directory on the walk's stack: its tree once read, and which of its subtrees are done. */
  private static final class Frame {
    final ObjectId id;
    final Future<Tree> future;
    @Nullable Tree tree;
    List<ObjectId> subtrees = List.of();
    int next;
    int readAhead;

    Frame(ObjectId id, Future<Tree> future) {
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
      Tree tree = frame.tree;
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

  private List<ObjectId> unindexedSubtrees(Tree tree) {
    LinkedHashSet<ObjectId> subtrees = new LinkedHashSet<>();
    for (Node node : tree.nodes()) {
      ObjectId subtree = node.subtree();
      if (node.type() == NodeType.DIRECTORY && subtree != null && SafeNames.problem(node.name()) == null
          && ordinals.get(subtree) < 0) {
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

  private Future<Tree> take(ObjectId id) {
    Future<Tree> future = reading.remove(id);
    return future != null ? future : submit(id);
  }

  private Future<Tree> submit(ObjectId id) {
    return pool.submit(() -> {
      byte[] bytes = reader.read(id, ChunkType.TREE);
      try {
        return Tree.decode(bytes);
      } catch (CorruptDataException e) {
        throw new IntegrityException("tree " + id.shortHex(), e.getMessage(), e);
      }
    });
  }

  private Tree await(Frame frame) throws IOException {
    try {
      Tree tree = frame.future.get();
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

  private int write(ObjectId id, Tree tree) {
    for (Node node : tree.nodes()) {
      if (SafeNames.problem(node.name()) != null) {
        // A restore refuses such a name (a forged tree), so finding it would lead nowhere.
        continue;
      }
      ObjectId subtree = node.subtree();
      int subtreeOrdinal = node.type() == NodeType.DIRECTORY && subtree != null ? ordinals.get(subtree) : -1;
      writer.entry(node.name(), node.type(), node.hasError(), node.type() == NodeType.FILE ? node.size() : 0,
          node.mtime().getEpochSecond(), node.mtime().getNano(), fingerprint(node), subtreeOrdinal);
    }
    return writer.endTree(id);
  }

  /**
   * 64 bits that change when an entry's content changes, computed from what the tree already holds: a
   * file's chunk ids (keyed MACs of the content, so uniformly random) mixed in order with its size, a
   * directory's subtree id, a symlink's target. Not a cryptographic hash; two different contents of one
   * path collide with probability about 2^-64.
   */
  static long fingerprint(Node node) {
    switch (node.type()) {
      case FILE -> {
        long h = mix(node.size() ^ (node.hasError() ? 0x5bd1e995L : 0));
        for (ObjectId chunk : node.content()) {
          h = mix(h ^ chunk.prefixLong(0));
        }
        return h;
      }
      case DIRECTORY -> {
        ObjectId subtree = node.subtree();
        return subtree == null ? 0 : subtree.prefixLong(0);
      }
      case SYMLINK -> {
        long h = 0;
        String target = node.linkTarget();
        for (int i = 0; i < target.length(); i++) {
          h = mix(h ^ target.charAt(i));
        }
        return h;
      }
      default -> {
        return 0;
      }
    }
  }

  /** The finalizer of SplitMix64: a bijection that spreads every input bit over the output. */
  private static long mix(long value) {
    long z = (value + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
