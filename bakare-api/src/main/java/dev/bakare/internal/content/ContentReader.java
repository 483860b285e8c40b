package dev.bakare.internal.content;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bakare.IntegrityException;
import dev.bakare.KeyException;
import dev.bakare.RepositoryException;
import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.store.spi.BlobStore;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads chunks back: locate through the index, fetch, authenticate, decompress, and check that the
 * plaintext hashes to the chunk id (so even a writer holding the write key cannot plant content under
 * another chunk's id). Needs the full key. Thread-safe.
 */
public final class ContentReader {
  private final BlobStore store;
  private final Sealing sealing;
  private final ChunkHasher hasher;
  private final Compressor compressor;
  private final ChunkIndex index;
  private final Cache<ObjectId, Aead> packKeys = Caffeine.newBuilder().maximumSize(4096).build();
  /**
   * Whole tree packs, read once: walking a snapshot reads many small trees from few packs, and one read
   * per pack instead of one per tree matters on object stores, where each request costs a round trip.
   */
  private final Cache<ObjectId, byte[]> treePacks;

  public ContentReader(BlobStore store, Sealing sealing, ChunkHasher hasher, Compressor compressor, ChunkIndex index) {
    this(store, sealing, hasher, compressor, index, TREE_PACK_CACHE_BYTES);
  }

  public ContentReader(BlobStore store, Sealing sealing, ChunkHasher hasher, Compressor compressor, ChunkIndex index,
      long treePackCacheBytes) {
    this.store = store;
    this.sealing = sealing;
    this.hasher = hasher;
    this.compressor = compressor;
    this.index = index;
    this.treePacks = Caffeine.newBuilder()
        .maximumWeight(treePackCacheBytes)
        .<ObjectId, byte[]>weigher((id, bytes) -> bytes.length)
        .build();
  }

  /** The default bound on cached tree packs. */
  public static final long TREE_PACK_CACHE_BYTES = 64L << 20;
  private static final long WHOLE_PACK_LIMIT = 32L << 20;

  public ChunkIndex index() {
    return index;
  }

  /**
   * Reads one chunk.
   *
   * @throws RepositoryException if the index does not know the chunk
   * @throws IntegrityException naming the pack if the chunk fails verification
   */
  public byte[] read(ObjectId id, ChunkType expectedType) throws IOException {
    ChunkLocation location = index.find(id).orElseThrow(() -> new RepositoryException(
        "chunk " + id.shortHex() + " is missing from the index: run check, then repair"));
    if (location.type() != expectedType) {
      throw new IntegrityException(Layout.pack(location.pack().id()).value(),
          "chunk " + id.shortHex() + " is indexed as " + location.type() + " but referenced as " + expectedType, null);
    }
    if (expectedType == ChunkType.TREE) {
      byte[] pack = treePack(location);
      if (pack != null && location.offset() + location.storedLength() <= pack.length) {
        return open(id, location, pack, (int) location.offset());
      }
    }
    ByteBuffer bytes = store.get(Layout.pack(location.pack().id()), location.offset(), location.storedLength());
    byte[] array = new byte[bytes.remaining()];
    bytes.get(array);
    return open(id, location, array, 0);
  }

  private byte @org.jspecify.annotations.Nullable [] treePack(ChunkLocation location) throws IOException {
    ObjectId pack = location.pack().id();
    byte[] cached = treePacks.getIfPresent(pack);
    if (cached != null) {
      return cached;
    }
    var info = store.stat(Layout.pack(pack));
    if (info.isEmpty() || info.get().size() > WHOLE_PACK_LIMIT) {
      return null;
    }
    ByteBuffer whole = store.get(Layout.pack(pack));
    byte[] bytes = new byte[whole.remaining()];
    whole.get(bytes);
    treePacks.put(pack, bytes);
    return bytes;
  }

  /**
   * Opens a sealed chunk held in {@code buffer} at {@code offset} (fetched by the caller, for example as
   * part of a larger range of its pack).
   */
  public byte[] open(ObjectId id, ChunkLocation location, byte[] buffer, int offset) throws IOException {
    String packName = Layout.pack(location.pack().id()).value();
    try {
      // Locations come from index segments and headers, which a write key can forge: overlapping or
      // out-of-range entries must fail as damage, not index past the bytes read.
      if (offset < 0 || (long) offset + location.storedLength() > buffer.length) {
        throw new CorruptDataException("the chunk's " + location.storedLength() + " bytes at offset " + offset
            + " lie outside the " + buffer.length + " bytes read");
      }
      Aead aead = packAead(location.pack());
      byte[] stored = aead.open(PackFormat.chunkNonce(location.offset()), PackFormat.chunkAssociatedData(location.type(), id),
          buffer, offset, location.storedLength());
      byte[] plain = location.compression() == Compression.ZSTD
          ? compressor.decompress(stored, 0, stored.length, location.rawLength())
          : stored;
      if (plain.length != location.rawLength()) {
        throw new CorruptDataException("chunk has " + plain.length + " bytes, the index says " + location.rawLength());
      }
      if (!hasher.hash(plain).equals(id)) {
        throw new CorruptDataException("content does not match its id");
      }
      return plain;
    } catch (CorruptDataException e) {
      throw new IntegrityException(packName, "chunk " + id.shortHex() + " at offset " + location.offset() + ": " + e.getMessage(), e);
    }
  }

  private Aead packAead(PackRef pack) throws IOException {
    if (!sealing.keys().isFull()) {
      throw new KeyException("reading backed-up data needs the full key; this is a write key, which can only add backups");
    }
    Aead aead = packKeys.getIfPresent(pack.id());
    if (aead == null) {
      try {
        aead = sealing.aeadFor(pack.ephemeralPublic(), PackBuilder.KEY_PURPOSE);
      } catch (CorruptDataException e) {
        throw new IntegrityException(Layout.pack(pack.id()).value(), e.getMessage(), e);
      }
      packKeys.put(pack.id(), aead);
    }
    return aead;
  }
}
