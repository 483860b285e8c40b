package dev.bakare.internal.content;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bakare.IntegrityException;
import dev.bakare.KeyException;
import dev.bakare.RepositoryException;
import dev.bakare.internal.crypto.Aead;
import dev.bakare.internal.crypto.AeadAlgorithm;
import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.CorruptDataException;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.store.BlobBytes;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.BlobStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

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
  private volatile ChunkIndex index;
  private final @org.jspecify.annotations.Nullable IndexLoader reloader;
  private final Cache<ObjectId, Aead> packKeys = Caffeine.newBuilder().maximumSize(4096).build();
  /**
   * Whole tree packs, read once: walking a snapshot reads many small trees from few packs, and one read
   * per pack instead of one per tree matters on object stores, where each request costs a round trip.
   */
  private final TreePacks treePacks;
  private final long treePackCacheBytes;
  /** False where small reads cost no more than large ones: then each tree is read alone, nothing kept. */
  private final boolean wholeTreePacks;

  public ContentReader(BlobStore store, Sealing sealing, ChunkHasher hasher, Compressor compressor, ChunkIndex index) {
    this(store, sealing, hasher, compressor, index, TREE_PACK_CACHE_BYTES, true, null);
  }

  /**
   * A reader that survives prunes: when a pack turns out to be gone, it loads the index again from
   * {@code reloader} and reads the chunk from the pack a prune moved it into (without a reloader, a gone
   * pack is an error). With {@code wholeTreePacks} it reads tree packs whole and keeps up to {@code
   * treePackCacheBytes} of them; without, it reads each tree alone (for a store where that costs no more).
   */
  public ContentReader(BlobStore store, Sealing sealing, ChunkHasher hasher, Compressor compressor, ChunkIndex index,
      long treePackCacheBytes, boolean wholeTreePacks, @org.jspecify.annotations.Nullable IndexLoader reloader) {
    this.reloader = reloader;
    this.treePackCacheBytes = treePackCacheBytes;
    this.wholeTreePacks = wholeTreePacks;
    this.store = store;
    this.sealing = sealing;
    this.hasher = hasher;
    this.compressor = compressor;
    this.index = index;
    this.treePacks = new TreePacks(treePackCacheBytes);
  }

  /** The default bound on cached tree packs. */
  public static final long TREE_PACK_CACHE_BYTES = 64L << 20;
  private static final long WHOLE_PACK_LIMIT = 32L << 20;

  public ChunkIndex index() {
    return index;
  }

  /** The bound on the bytes of whole tree packs this reader keeps. */
  public long treePackCacheBytes() {
    return treePackCacheBytes;
  }

  /** Loads an index view that relies on the packs in storage now. */
  @FunctionalInterface
  public interface IndexLoader {
    ChunkIndex load() throws IOException;
  }

  /**
   * How often a read follows a chunk to a new pack. A prune moves a live chunk at most once per run, so
   * needing more means prunes keep racing this reader; it then fails and the user runs it again.
   */
  private static final int MAX_RELOCATIONS = 3;

  /**
   * Where a chunk lives now, after its pack {@code missingPack} turned out to be gone: a prune repacked
   * the chunk (its old pack outlived the grace period while this reader held an older index). Reloads the
   * index unless another thread already did. Empty if the chunk is nowhere else, or this reader cannot
   * reload.
   */
  public Optional<ChunkLocation> relocate(ObjectId chunk, ObjectId missingPack) throws IOException {
    if (reloader == null) {
      return Optional.empty();
    }
    synchronized (this) {
      Optional<ChunkLocation> current = index.find(chunk);
      if (current.isEmpty() || current.get().pack().id().equals(missingPack)) {
        index = reloader.load();
        current = index.find(chunk);
      }
      return current.filter(location -> !location.pack().id().equals(missingPack));
    }
  }

  /**
   * Reads one chunk.
   *
   * @throws RepositoryException if the index does not know the chunk
   * @throws IntegrityException naming the pack if the chunk fails verification
   */
  public byte[] read(ObjectId id, ChunkType expectedType) throws IOException {
    ChunkBuffers fresh = new ChunkBuffers();
    read(id, expectedType, fresh);
    return fresh.plain();
  }

  /**
   * Reads one chunk into {@code buffers}, as {@link #open(ObjectId, ChunkLocation, byte[], int, ChunkBuffers)}
   * opens it: for a thread that reads chunk after chunk and is done with each before the next (a backup reads
   * its parent's trees so: a new array per tree was a tenth of what a no-change backup allocated).
   */
  public void read(ObjectId id, ChunkType expectedType, ChunkBuffers buffers) throws IOException {
    ChunkLocation location = index.find(id).orElseThrow(() -> new RepositoryException(
        "chunk " + id.shortHex() + " is missing from the index: run check, then repair"));
    for (int relocations = 0; ; relocations++) {
      try {
        read(id, expectedType, location, buffers);
        return;
      } catch (BlobNotFoundException e) {
        Optional<ChunkLocation> moved = relocations < MAX_RELOCATIONS
            ? relocate(id, location.pack().id()) : Optional.empty();
        if (moved.isEmpty()) {
          throw e;
        }
        location = moved.get();
      }
    }
  }

  private void read(ObjectId id, ChunkType expectedType, ChunkLocation location, ChunkBuffers buffers)
      throws IOException {
    if (location.type() != expectedType) {
      throw new IntegrityException(Layout.pack(location.pack().id()).value(),
          "chunk " + id.shortHex() + " is indexed as " + location.type() + " but referenced as " + expectedType, null);
    }
    if (expectedType == ChunkType.TREE && wholeTreePacks) {
      byte[] pack = treePack(location);
      if (pack != null && location.offset() + location.storedLength() <= pack.length) {
        open(id, location, pack, (int) location.offset(), buffers);
        return;
      }
    }
    byte[] sealed = new byte[location.storedLength()];
    store.read(Layout.pack(location.pack().id()), location.offset(), ByteBuffer.wrap(sealed));
    open(id, location, sealed, 0, buffers);
  }

  private byte @org.jspecify.annotations.Nullable [] treePack(ChunkLocation location) throws IOException {
    ObjectId pack = location.pack().id();
    byte[] cached = treePacks.get(pack, location.storedLength());
    if (cached != null) {
      return cached;
    }
    if (!treePacks.worthReadingWhole(pack)) {
      return null;
    }
    var info = store.stat(Layout.pack(pack));
    if (info.isEmpty() || info.get().size() > WHOLE_PACK_LIMIT) {
      return null;
    }
    byte[] bytes = BlobBytes.array(store.get(Layout.pack(pack)));
    treePacks.put(pack, bytes);
    return bytes;
  }

  /**
   * Opens a sealed chunk held in {@code buffer} at {@code offset} (fetched by the caller, for example as
   * part of a larger range of its pack) into a new array of its own.
   */
  public byte[] open(ObjectId id, ChunkLocation location, byte[] buffer, int offset) throws IOException {
    ChunkBuffers fresh = new ChunkBuffers();
    open(id, location, buffer, offset, fresh);
    return fresh.plain();
  }

  /**
   * Opens a sealed chunk held in {@code buffer} at {@code offset} (fetched by the caller, for example as
   * part of a larger range of its pack) into {@code buffers}: the plaintext is {@link
   * ChunkBuffers#plainLength()} bytes of {@link ChunkBuffers#plain()} from {@link ChunkBuffers#plainOffset()},
   * valid until the buffers are used again. For a thread that opens chunk after chunk without allocating each.
   */
  public void open(ObjectId id, ChunkLocation location, byte[] buffer, int offset, ChunkBuffers buffers)
      throws IOException {
    open(id, location, buffer, offset, buffers, false);
  }

  /**
   * Opens a sealed chunk as {@link #open(ObjectId, ChunkLocation, byte[], int, ChunkBuffers)} does, but
   * decrypts it where it lies in {@code buffer}: the plaintext is {@code location.rawLength()} bytes of
   * {@link ChunkBuffers#plain()} from {@link ChunkBuffers#plainOffset()}, which is {@code buffer} itself for
   * a chunk stored uncompressed. A thread reading ranges of packs then holds no array for decrypted chunks.
   * The chunk's sealed bytes are overwritten, also when opening fails.
   */
  public void openInPlace(ObjectId id, ChunkLocation location, byte[] buffer, int offset, ChunkBuffers buffers)
      throws IOException {
    open(id, location, buffer, offset, buffers, true);
  }

  private void open(ObjectId id, ChunkLocation location, byte[] buffer, int offset, ChunkBuffers buffers,
      boolean inPlace) throws IOException {
    try {
      // Locations come from index segments and headers, which a write key can forge: overlapping or
      // out-of-range entries must fail as damage, not index past the bytes read.
      if (offset < 0 || (long) offset + location.storedLength() > buffer.length) {
        throw new CorruptDataException("the chunk's " + location.storedLength() + " bytes at offset " + offset
            + " lie outside the " + buffer.length + " bytes read");
      }
      if (location.storedLength() < AeadAlgorithm.TAG_LENGTH) {
        throw new CorruptDataException("the chunk's " + location.storedLength() + " bytes are fewer than its tag");
      }
      Aead aead = packAead(location.pack());
      int rawLength = location.rawLength();
      int storedPlain = location.storedLength() - AeadAlgorithm.TAG_LENGTH;
      boolean compressed = location.compression() == Compression.ZSTD;
      if (!compressed && storedPlain != rawLength) {
        throw new CorruptDataException("chunk has " + storedPlain + " bytes, the index says " + rawLength);
      }
      byte[] opened = inPlace ? buffer : compressed ? buffers.compressed(storedPlain) : buffers.plainBuffer(rawLength);
      int openedOffset = inPlace ? offset : 0;
      aead.open(PackFormat.chunkNonce(location.offset()), PackFormat.chunkAssociatedData(location.type(), id),
          buffer, offset, location.storedLength(), opened, openedOffset);
      if (compressed) {
        byte[] plain = buffers.plainBuffer(rawLength);
        buffers.result(compressor.decompress(opened, openedOffset, storedPlain, plain, rawLength), 0, rawLength);
      } else {
        buffers.result(opened, openedOffset, rawLength);
      }
      if (!hasher.hash(buffers.plain(), buffers.plainOffset(), rawLength).equals(id)) {
        throw new CorruptDataException("content does not match its id");
      }
    } catch (CorruptDataException e) {
      // The pack's name is made only here: made for every chunk opened, it was 7% of what a restore of
      // 300,000 small files allocated.
      throw new IntegrityException(Layout.pack(location.pack().id()).value(), "chunk " + id.shortHex() + " at offset " + location.offset() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Buffers one thread reuses to open chunks: the decrypted (still compressed) bytes, unless opened in
   * place, and the plaintext. Each grows to the largest chunk opened with it, which the chunker bounds.
   */
  public static final class ChunkBuffers {
    // Fresh buffers grow to exactly the first chunk's size: its plaintext array is that chunk, which is how
    // read(ObjectId, ChunkType) and open(ObjectId, ChunkLocation, byte[], int) return a chunk of its own.
    private byte[] compressed = new byte[0];
    private byte[] plain = new byte[0];
    private byte[] result = plain;
    private int resultOffset;
    private int resultLength;

    /** The array holding the last chunk opened with these buffers, from {@link #plainOffset()}. */
    public byte[] plain() {
      return result;
    }

    /** Where the last chunk opened starts in {@link #plain()}: 0 unless it was opened in place. */
    public int plainOffset() {
      return resultOffset;
    }

    /** The length of the last chunk opened: the first bytes of {@link #plain()} from {@link #plainOffset()}. */
    public int plainLength() {
      return resultLength;
    }

    /** The bytes these buffers hold between chunks: their plaintext and decompression arrays. */
    public int capacity() {
      return plain.length + compressed.length;
    }

    void result(byte[] array, int offset, int length) {
      result = array;
      resultOffset = offset;
      resultLength = length;
    }

    byte[] plainBuffer(int length) {
      if (plain.length < length) {
        plain = new byte[length];
      }
      return plain;
    }

    byte[] compressed(int length) {
      if (compressed.length < length) {
        compressed = new byte[length];
      }
      return compressed;
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

  /**
   * The most recently used tree packs, up to a number of bytes. Not a Caffeine cache: its admission
   * policy turns away an entry as large as a pack (a sixteenth of the bound) until it has been asked for
   * several times, and each of those times the whole pack was read again; walking 100 snapshots of a
   * million files read 68 GB for 127 MiB of packs.
   *
   * <p>A walk whose trees lie in more packs than fit would still read the same packs whole again and
   * again, evicting each other (listing the 40th of 100 daily snapshots of a million files took 13 s
   * instead of 1 s). So a pack evicted lately is not read whole again: its trees are read one by one.
   * "Lately" is measured in bytes of trees this reader served since, up to twice the bound: a walk that
   * keeps going round too many packs reads each evicted one whole at most once per that many bytes of
   * trees, and one that moved on to other packs gets whole packs again.
   */
  private static final class TreePacks {
    private final long capacity;
    private final LinkedHashMap<ObjectId, byte[]> packs = new LinkedHashMap<>(16, 0.75f, true);
    /** Packs evicted lately, oldest first, with the {@link #clock} when they were. */
    private final LinkedHashMap<ObjectId, Long> evictedAt = new LinkedHashMap<>();
    private long bytes;
    /** Bytes of trees served so far: the clock evictions are timed by. */
    private long clock;

    TreePacks(long capacity) {
      this.capacity = capacity;
    }

    /** The pack, if cached, for a tree of {@code treeBytes} in it. */
    synchronized byte @org.jspecify.annotations.Nullable [] get(ObjectId pack, long treeBytes) {
      clock += treeBytes;
      return packs.get(pack);
    }

    /** Whether reading {@code pack} whole is likely to pay, rather than evict packs still in use. */
    synchronized boolean worthReadingWhole(ObjectId pack) {
      Long evicted = evictedAt.get(pack);
      return evicted == null || clock - evicted > 2 * capacity;
    }

    synchronized void put(ObjectId pack, byte[] content) {
      evictedAt.remove(pack);
      byte[] previous = packs.put(pack, content);
      bytes += content.length - (previous == null ? 0 : previous.length);
      Iterator<Map.Entry<ObjectId, byte[]>> oldest = packs.entrySet().iterator();
      while (bytes > capacity && oldest.hasNext()) {
        Map.Entry<ObjectId, byte[]> entry = oldest.next();
        if (entry.getKey().equals(pack)) {
          // The one just read stays, even alone over the bound: it is about to be used.
          continue;
        }
        bytes -= entry.getValue().length;
        oldest.remove();
        evictedAt.put(entry.getKey(), clock);
      }
      // Evictions older than the window no longer matter.
      Iterator<Map.Entry<ObjectId, Long>> expired = evictedAt.entrySet().iterator();
      while (expired.hasNext() && clock - expired.next().getValue() > 2 * capacity) {
        expired.remove();
      }
    }
  }
}
