package dev.bakare.internal.tree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bakare.IntegrityException;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.content.ContentReader;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;

/** Loads trees by id, caching recently used ones (snapshots of one source share most of their trees). */
public final class TreeReader {
  private final ContentReader reader;
  private final Cache<ObjectId, Tree> cache = Caffeine.newBuilder().maximumSize(1024).build();

  public TreeReader(ContentReader reader) {
    this.reader = reader;
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
