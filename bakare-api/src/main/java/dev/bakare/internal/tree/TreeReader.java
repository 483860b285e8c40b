package dev.bakare.internal.tree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bakare.IntegrityException;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Loads trees by id, caching recently used ones where a job comes back to them (repair salvages snapshot
 * after snapshot of one source, which share most of their trees). The cache is bounded by an estimate of
 * the decoded trees' heap, as large as the reader's tree pack cache: a tree of a directory of large files
 * holds thousands of chunk ids per file. A job that reads each tree once uses {@link #uncached}.
 */
public final class TreeReader {
  /** Buffers as large as this are not kept for the next tree: a huge directory's tree is read now and then. */
  private static final int MAX_KEPT_BUFFERS = 4 << 20;

  private final ContentReader reader;
  /** Each thread's buffers for the trees it reads with this reader; decoding copies what it keeps. */
  private final ThreadLocal<ContentReader.ChunkBuffers> buffers =
      ThreadLocal.withInitial(ContentReader.ChunkBuffers::new);
  private final @Nullable Cache<ObjectId, Tree> cache;

  /** A reader that caches decoded trees. */
  public TreeReader(ContentReader reader) {
    this(reader, Caffeine.newBuilder()
        .maximumWeight(reader.treePackCacheBytes())
        .<ObjectId, Tree>weigher((id, tree) -> heapEstimate(tree))
        .build());
  }

  private TreeReader(ContentReader reader, @Nullable Cache<ObjectId, Tree> cache) {
    this.reader = reader;
    this.cache = cache;
  }

  /**
   * A reader for one pass over a snapshot (restore, listing, a backup's parent), which reads each tree
   * once: a cache would only hold trees no one asks for again, up to a third of a restore's heap (measured
   * at 300,000 files: about 470 bytes of heap a node, the estimate below counts 300).
   */
  public static TreeReader uncached(ContentReader reader) {
    return new TreeReader(reader, null);
  }

  /** Roughly what a decoded tree takes on the heap: its nodes, their names and their chunk ids. */
  static int heapEstimate(Tree tree) {
    long bytes = 64;
    for (Node node : tree.nodes()) {
      bytes += 200 + 2L * node.name().length() + 80L * node.content().size();
    }
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  public Tree read(ObjectId id) throws IOException {
    Tree cached = cache == null ? null : cache.getIfPresent(id);
    if (cached != null) {
      return cached;
    }
    Tree tree = open(id, Tree::decode);
    if (cache != null) {
      cache.put(id, tree);
    }
    return tree;
  }

  /**
   * The tree's encoding, decrypted, decompressed and checked against its id, in an array of its own (for
   * {@link Tree.Cursor}); not cached. Its nodes are not checked until decoded.
   */
  public byte[] readEncoded(ObjectId id) throws IOException {
    return open(id, (plain, offset, length) -> Arrays.copyOfRange(plain, offset, offset + length));
  }

  /** What is taken from a tree's plaintext, which lies in a buffer the thread reuses for its next tree. */
  @FunctionalInterface
  private interface Take<T> {
    T from(byte[] plain, int offset, int length) throws CorruptDataException;
  }

  private <T> T open(ObjectId id, Take<T> take) throws IOException {
    ContentReader.ChunkBuffers opened = buffers.get();
    try {
      reader.read(id, ChunkType.TREE, opened);
      return take.from(opened.plain(), opened.plainOffset(), opened.plainLength());
    } catch (CorruptDataException e) {
      throw new IntegrityException("tree " + id.shortHex(), e.getMessage(), e);
    } finally {
      if (opened.capacity() > MAX_KEPT_BUFFERS) {
        buffers.remove();
      }
    }
  }
}
