package dev.bakare.internal.content;

import dev.bakare.internal.crypto.Sealing;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Stores chunks: id, dedup against the index view and this writer's own chunks, compress, seal into a
 * pack, upload full packs in the background. Safe for concurrent use by many threads. An uploaded pack
 * joins the view at once ({@link ChunkIndex#addOwn}); {@link #flush} waits for all uploads and returns the
 * packs, whose index segments must be written before anything references them. {@link #close} releases
 * the packs' buffers or staging files.
 */
public final class ContentWriter implements AutoCloseable {
  private final BlobStore store;
  private final Sealing sealing;
  private final ChunkHasher hasher;
  private final Compressor compressor;
  private final ChunkIndex index;
  private final int packTargetSize;
  private final ExecutorService uploads;
  private final Semaphore uploadPermits;
  private final int maxUploadsInFlight;
  private final Map<ChunkType, BuilderPool> pools = new EnumMap<>(ChunkType.class);
  /** Chunks in packs being filled or uploaded: stored as far as dedup within this writer is concerned. */
  private final Set<ObjectId> pending = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<IndexSegment.IndexedPack> uploaded = new ConcurrentLinkedQueue<>();
  private final AtomicReference<@Nullable IOException> failure = new AtomicReference<>();
  private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[0]);
  /**
   * Bodies of uploaded packs, for the next packs to fill: a pack in memory then neither grows its array
   * step by step (copying it each time) nor has a new one zeroed, which together cost about as much per
   * byte as sealing it; a pack in a file needs no new file. A body is created only when this is empty, so
   * there are never more than the builders and uploads in flight that the memory budget allows for.
   */
  private final ConcurrentLinkedQueue<PackBody> spareBodies = new ConcurrentLinkedQueue<>();
  private final PackStaging staging;
  private volatile boolean closed;
  private final Stats stats = new Stats();

  /**
   * @param dataPackSlots how many data packs may be filled at once (about one per worker thread)
   * @param maxUploadsInFlight how many finished packs may wait for or be in upload; with the slots this
   *     bounds the memory packs take
   * @param staging where packs are kept while they are filled and uploaded
   */
  public ContentWriter(
      BlobStore store,
      Sealing sealing,
      ChunkHasher hasher,
      Compressor compressor,
      ChunkIndex index,
      int packTargetSize,
      int dataPackSlots,
      int maxUploadsInFlight,
      ExecutorService uploads,
      PackStaging staging) {
    this.staging = staging;
    this.store = store;
    this.sealing = sealing;
    this.hasher = hasher;
    this.compressor = compressor;
    this.index = index;
    this.packTargetSize = packTargetSize;
    this.uploads = uploads;
    this.maxUploadsInFlight = maxUploadsInFlight;
    this.uploadPermits = new Semaphore(maxUploadsInFlight);
    pools.put(ChunkType.DATA, new BuilderPool(ChunkType.DATA, dataPackSlots));
    pools.put(ChunkType.TREE, new BuilderPool(ChunkType.TREE, 1));
  }

  public ChunkHasher hasher() {
    return hasher;
  }

  public Stats stats() {
    return stats;
  }

  /** Stores the chunk unless it is already stored, and returns its id. */
  public ObjectId write(ChunkType type, byte[] data, int offset, int length) throws IOException {
    ObjectId id = hasher.hash(data, offset, length);
    write(id, type, data, offset, length);
    return id;
  }

  /** The calling thread's compression buffer, grown to at least {@code length} bytes. */
  private byte[] scratch(int length) {
    byte[] buffer = scratch.get();
    if (buffer.length < length) {
      buffer = new byte[length];
      scratch.set(buffer);
    }
    return buffer;
  }

  /** Stores a chunk whose id the caller computed with {@link #hasher()}, unless it is already stored. */
  public void write(ObjectId id, ChunkType type, byte[] data, int offset, int length) throws IOException {
    throwIfFailed();
    if (length > PackFormat.MAX_RAW_CHUNK) {
      throw new IllegalArgumentException("chunk of " + length + " bytes exceeds " + PackFormat.MAX_RAW_CHUNK);
    }
    if (index.containsLive(id) || !pending.add(id)) {
      stats.duplicateChunks.incrementAndGet();
      stats.duplicateBytes.addAndGet(length);
      return;
    }
    // The thread's buffer grows to a chunk's compressed size only for chunks worth compressing: a chunk of
    // random bytes (new media files, say) no longer makes each thread hold a buffer of the largest chunk.
    byte[] buffer = scratch(Compressor.PROBE_BOUND);
    int compressed = -1;
    if (compressor.worthCompressing(data, offset, length, buffer, 0)) {
      buffer = scratch(Compressor.maxCompressedLength(length));
      compressed = compressor.compress(data, offset, length, buffer, 0);
    }
    BuilderPool pool = pools.get(type);
    PackBuilder builder = pool.take();
    boolean handedOff = false;
    try {
      if (compressed >= 0 && compressed < length) {
        builder.add(id, Compression.ZSTD, buffer, 0, compressed, length);
        stats.storedBytes.addAndGet(compressed);
      } else {
        builder.add(id, Compression.NONE, data, offset, length, length);
        stats.storedBytes.addAndGet(length);
      }
      stats.newChunks.incrementAndGet();
      if (type == ChunkType.DATA) {
        stats.newBytes.addAndGet(length);
      }
      if (builder.size() >= packTargetSize) {
        upload(builder);
        handedOff = true;
      }
    } finally {
      pool.giveBack(handedOff ? null : builder);
    }
  }

  /**
   * Finishes every partly filled pack, waits until all packs are uploaded, and returns the packs
   * uploaded since the last flush.
   */
  public List<IndexSegment.IndexedPack> flush() throws IOException {
    for (BuilderPool pool : pools.values()) {
      for (PackBuilder builder : pool.drain()) {
        if (builder.count() > 0) {
          upload(builder);
        }
      }
    }
    try {
      uploadPermits.acquire(maxUploadsInFlight);
      uploadPermits.release(maxUploadsInFlight);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for pack uploads");
    }
    throwIfFailed();
    List<IndexSegment.IndexedPack> done = new ArrayList<>();
    for (IndexSegment.IndexedPack pack; (pack = uploaded.poll()) != null; ) {
      done.add(pack);
    }
    return done;
  }

  /**
   * Takes the packs uploaded since the last call, without waiting for any: a checkpoint writes their index
   * so that a rerun after a crash need not upload them again.
   */
  public List<IndexSegment.IndexedPack> drainUploaded() {
    List<IndexSegment.IndexedPack> done = new ArrayList<>();
    for (IndexSegment.IndexedPack pack; (pack = uploaded.poll()) != null; ) {
      done.add(pack);
    }
    return done;
  }

  private void upload(PackBuilder builder) throws IOException {
    try {
      uploadPermits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to upload a pack");
    }
    FinishedPack pack;
    try {
      pack = builder.finish();
    } catch (IOException | RuntimeException e) {
      uploadPermits.release();
      throw e;
    }
    try {
      uploads.execute(() -> {
        try {
          uploadAndIndex(pack);
        } catch (IOException e) {
          failure.compareAndSet(null, e);
        } catch (RuntimeException | Error e) {
          failure.compareAndSet(null, new IOException("uploading pack " + pack.id() + " failed unexpectedly", e));
        } finally {
          recycle(pack.body());
          uploadPermits.release();
        }
      });
    } catch (RuntimeException e) {
      uploadPermits.release();
      throw new IOException("could not schedule the upload of pack " + pack.id(), e);
    }
  }

  private void uploadAndIndex(FinishedPack pack) throws IOException {
    try {
      pack.body().upload(store, Layout.pack(pack.id()), PutMode.CREATE_ONLY);
      stats.uploadedBytes.addAndGet(pack.length());
    } catch (BlobAlreadyExistsException e) {
      // The name is the SHA-256 of the bytes: the blob holds exactly this pack already (a retried
      // upload whose first answer was lost).
    }
    IndexSegment.IndexedPack indexed =
        new IndexSegment.IndexedPack(new PackRef(pack.id(), pack.ephemeralPublic()), pack.entries());
    // Into the index before out of pending, so that dedup never misses the chunks in between.
    index.addOwn(indexed);
    for (PackEntry entry : pack.entries()) {
      pending.remove(entry.id());
    }
    uploaded.add(indexed);
    stats.uploadedChunks.addAndGet(pack.entries().size());
    stats.packs.incrementAndGet();
  }

  /** Empties an uploaded pack's body for the next pack (or closes it, once this writer is closed). */
  private void recycle(PackBody body) {
    try {
      body.reset();
      spareBodies.offer(body);
    } catch (IOException e) {
      failure.compareAndSet(null, new IOException("cannot reuse the staging file of an uploaded pack", e));
      closeLogged(body);
    }
    if (closed) {
      closeSpareBodies();
    }
  }

  /**
   * Releases the packs' buffers and staging files. Call after {@link #flush}; packs still being filled
   * are dropped, and those still uploading are released when their upload ends.
   */
  @Override
  public void close() {
    closed = true;
    closeSpareBodies();
    for (BuilderPool pool : pools.values()) {
      for (PackBuilder builder : pool.drain()) {
        closeLogged(builder.body());
      }
    }
  }

  private void closeSpareBodies() {
    for (PackBody body; (body = spareBodies.poll()) != null; ) {
      closeLogged(body);
    }
  }

  private static void closeLogged(PackBody body) {
    try {
      body.close();
    } catch (IOException e) {
      // Closing releases an unnamed staging file; the pack in it was uploaded or is not wanted any more.
      System.getLogger(ContentWriter.class.getName())
          .log(System.Logger.Level.WARNING, "could not close the staging file of a pack: " + e.getMessage(), e);
    }
  }

  private void throwIfFailed() throws IOException {
    IOException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  /** Pack builders of one type, each used by one thread at a time. */
  private final class BuilderPool {
    private final ChunkType type;
    private final Semaphore slots;
    private final ConcurrentLinkedQueue<Idle> idle = new ConcurrentLinkedQueue<>();

    BuilderPool(ChunkType type, int slotCount) {
      this.type = type;
      this.slots = new Semaphore(slotCount);
    }

    PackBuilder take() throws IOException {
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for a pack to fill");
      }
      PackBuilder builder = takeIdle();
      if (builder != null) {
        return builder;
      }
      PackBody body = spareBodies.poll();
      if (body == null) {
        try {
          body = staging.newBody(Math.min(packTargetSize, 1 << 20), packTargetSize + (packTargetSize >> 2));
        } catch (IOException | RuntimeException e) {
          slots.release();
          throw e;
        }
      }
      return new PackBuilder(sealing, type, body);
    }

    /**
     * The idle builder this thread gave back last, else the one idle longest. A thread that keeps to its
     * pack keeps sealing under one key: taken in turn, two threads' two packs changed the thread's cipher
     * key for nearly every chunk (4,980 AES key expansions in a backup of the mixed tree), and C2 compiled
     * the JDK's key expansion seven times over (~0.4 s of one of two cores while the backup started).
     */
    private @Nullable PackBuilder takeIdle() {
      Thread me = Thread.currentThread();
      for (Idle waiting : idle) {
        if (waiting.lastUser() == me && idle.remove(waiting)) {
          return waiting.builder();
        }
      }
      Idle oldest = idle.poll();
      return oldest == null ? null : oldest.builder();
    }

    void giveBack(@Nullable PackBuilder builder) {
      if (builder != null) {
        idle.add(new Idle(builder, Thread.currentThread()));
      }
      slots.release();
    }

    List<PackBuilder> drain() {
      List<PackBuilder> all = new ArrayList<>();
      for (Idle waiting; (waiting = idle.poll()) != null; ) {
        all.add(waiting.builder());
      }
      return all;
    }
  }

  /** A builder no thread is adding to, and the thread that added to it last. */
  private record Idle(PackBuilder builder, Thread lastUser) {}

  /** Counters of what this writer stored and skipped. */
  public static final class Stats {
    final AtomicLong newChunks = new AtomicLong();
    final AtomicLong newBytes = new AtomicLong();
    final AtomicLong storedBytes = new AtomicLong();
    final AtomicLong duplicateChunks = new AtomicLong();
    final AtomicLong duplicateBytes = new AtomicLong();
    final AtomicLong uploadedBytes = new AtomicLong();
    final AtomicLong uploadedChunks = new AtomicLong();
    final AtomicLong packs = new AtomicLong();

    public long newChunks() {
      return newChunks.get();
    }

    /** Plaintext bytes of file data this writer stored (trees not included). */
    public long newBytes() {
      return newBytes.get();
    }

    /** Bytes of all chunks this writer stored, file data and trees, after compression, before sealing. */
    public long storedBytes() {
      return storedBytes.get();
    }

    public long duplicateChunks() {
      return duplicateChunks.get();
    }

    public long duplicateBytes() {
      return duplicateBytes.get();
    }

    /** Bytes of packs uploaded. */
    public long uploadedBytes() {
      return uploadedBytes.get();
    }

    /** Chunks in the packs uploaded (or found stored already), which wait in memory for their index. */
    public long uploadedChunks() {
      return uploadedChunks.get();
    }

    public long packs() {
      return packs.get();
    }
  }
}
