package dev.bakare.internal.tree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bakare.IntegrityException;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;

/**
 * Loads trees by id, caching recently used ones (snapshots of one source share most of their trees). The
 * cache is bounded by an estimate of the decoded trees' heap, as large as the reader's tree pack cache: a
 * tree of a directory of large files holds thousands of chunk ids per file.
 */
public final class TreeReader {
  private final ContentReader reader;
  private final Cache<ObjectId, Tree> cache;

  public TreeReader(ContentReader reader) {
    this.reader = reader;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(reader.treePackCacheBytes())
        .<ObjectId, Tree>weigher((id, tree) -> heapEstimate(tree))
        .build();
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
    Tree cached = cache.getIfPresent(id);
    if (cached != null) {
      return cached;
    }
    byte[] bytes = reader.read(id, ChunkType.TREE);
    Tree tree;
    try {
      tree = Tree.decode(bytes);
    } catch (CorruptDataException e) {
      throw new IntegrityException("tree " + id.shortHex(), e.getMessage(), e);
    }
    cache.put(id, tree);
    return tree;
  }
}
