package dev.bakare.internal.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.crypto.Aes256Gcm;
import dev.bakare.internal.crypto.Crypto;
import dev.bakare.internal.crypto.KeyMaterial;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.ForwardingBlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link ContentReader} reads trees: whole packs while they fit its cache, without reading any over and
 * over; or, where small reads are cheap, each tree alone.
 */
class TreePackCacheTest {
  private static final int PACKS = 8;
  private static final int TREES_PER_PACK = 50;
  private static final int TREE_SIZE = 2000;

  @TempDir Path temp;

  private final KeyMaterial keys = KeyMaterial.generate();
  private final Sealing sealing = new Sealing(new Aes256Gcm(), keys);
  private final ChunkHasher hasher = new ChunkHasher(keys.chunkIdKey());

  /** Counts what reaches the store: whole gets, range gets and the bytes of both. */
  private static final class CountingStore extends ForwardingBlobStore {
    int wholeGets;
    int rangeGets;
    long bytesRead;

    CountingStore(BlobStore delegate) {
      super(delegate);
    }

    @Override
    public ByteBuffer get(BlobName name) throws StorageException {
      wholeGets++;
      ByteBuffer bytes = super.get(name);
      bytesRead += bytes.remaining();
      return bytes;
    }

    @Override
    public ByteBuffer get(BlobName name, long offset, int length) throws StorageException {
      rangeGets++;
      bytesRead += length;
      return super.get(name, offset, length);
    }
  }

  private record Stored(List<ObjectId> trees, List<byte[]> contents, long packBytes) {}

  /** Trees in {@link #PACKS} packs, the i-th tree of pack p at index p * TREES_PER_PACK + i. */
  private Stored store(BlobStore store, ChunkIndex index) throws IOException {
    List<ObjectId> trees = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    long packBytes = 0;
    for (int p = 0; p < PACKS; p++) {
      PackBuilder builder = new PackBuilder(sealing, ChunkType.TREE, 1 << 16, 1 << 16);
      for (int i = 0; i < TREES_PER_PACK; i++) {
        byte[] tree = Crypto.randomBytes(TREE_SIZE);
        ObjectId id = hasher.hash(tree);
        builder.add(id, Compression.NONE, tree, 0, tree.length, tree.length);
        trees.add(id);
        contents.add(tree);
      }
      FinishedPack pack = builder.finish();
      store.put(Layout.pack(pack.id()), ByteBuffer.wrap(pack.contents()), PutMode.CREATE_ONLY);
      index.add(new IndexSegment.IndexedPack(new PackRef(pack.id(), pack.ephemeralPublic()), pack.entries()));
      packBytes = Math.max(packBytes, pack.contents().length);
    }
    return new Stored(trees, contents, packBytes);
  }

  private ContentReader reader(BlobStore store, ChunkIndex index, long cacheBytes, boolean wholeTreePacks) {
    return new ContentReader(store, sealing, hasher, new Compressor(3), index, cacheBytes, wholeTreePacks, null);
  }

  @Test
  void packsThatFitAreReadWholeOnce() throws IOException {
    CountingStore counting = new CountingStore(new MemoryBlobStore());
    try (ChunkIndex index = ChunkIndex.create(temp)) {
      Stored stored = store(counting, index);
      ContentReader reader = reader(counting, index, PACKS * stored.packBytes(), true);
      for (int round = 0; round < 3; round++) {
        for (int t = 0; t < stored.trees().size(); t++) {
          assertArrayEquals(stored.contents().get(t), reader.read(stored.trees().get(t), ChunkType.TREE));
        }
      }
      assertEquals(PACKS, counting.wholeGets);
      assertEquals(0, counting.rangeGets);
    }
  }

  @Test
  void aWalkOverMorePacksThanFitDoesNotReadThemWholeOverAndOver() throws IOException {
    CountingStore counting = new CountingStore(new MemoryBlobStore());
    try (ChunkIndex index = ChunkIndex.create(temp)) {
      Stored stored = store(counting, index);
      // Room for two of the eight packs; a walk that goes round all of them, one tree from each in turn,
      // is the worst case: with plain LRU every tree read would read a whole pack.
      ContentReader reader = reader(counting, index, 2 * stored.packBytes(), true);
      int reads = 0;
      for (int i = 0; i < TREES_PER_PACK; i++) {
        for (int p = 0; p < PACKS; p++) {
          int t = p * TREES_PER_PACK + i;
          assertArrayEquals(stored.contents().get(t), reader.read(stored.trees().get(t), ChunkType.TREE));
          reads++;
        }
      }
      long treeBytes = (long) reads * TREE_SIZE;
      // Each pack is read whole at first; after that, an evicted one at most once per two cache-fulls of
      // trees served, and its trees one by one in between.
      long windows = treeBytes / (2 * 2 * stored.packBytes()) + 1;
      assertTrue(counting.wholeGets <= PACKS * (1 + windows),
          counting.wholeGets + " whole-pack reads for " + reads + " trees in " + windows + " windows");
      assertTrue(counting.wholeGets < reads / 4, counting.wholeGets + " whole-pack reads for " + reads + " trees");
    }
  }

  @Test
  void whereSmallReadsAreCheapEachTreeIsReadAloneAndNoPackIsKept() throws IOException {
    CountingStore counting = new CountingStore(new MemoryBlobStore());
    try (ChunkIndex index = ChunkIndex.create(temp)) {
      Stored stored = store(counting, index);
      ContentReader reader = reader(counting, index, PACKS * stored.packBytes(), false);
      for (int t = 0; t < stored.trees().size(); t++) {
        assertArrayEquals(stored.contents().get(t), reader.read(stored.trees().get(t), ChunkType.TREE));
      }
      assertEquals(0, counting.wholeGets);
      assertEquals(stored.trees().size(), counting.rangeGets);
      // Each read is one sealed tree: its bytes and the tag, not a span of its pack.
      assertEquals((long) stored.trees().size() * (TREE_SIZE + 16), counting.bytesRead);
    }
  }
}
