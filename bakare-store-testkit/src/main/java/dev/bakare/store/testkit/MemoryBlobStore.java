package dev.bakare.store.testkit;

import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StoreCapabilities;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A complete {@link BlobStore} in memory: every guarantee of the interface holds, create-only puts are
 * atomic, and it is safe for concurrent use. Blobs are copied in and out, so callers never share arrays
 * with the store. Nothing survives the JVM; for a store that several handles open by name, use {@code
 * mem:NAME} locations (see {@link MemoryStorageProvider}).
 */
public final class MemoryBlobStore implements BlobStore {
  /** Blobs must fit one array; this is the largest length every JVM allocates. */
  static final long MAX_BLOB_SIZE = Integer.MAX_VALUE - 8L;

  private static final AtomicLong ANONYMOUS_STORES = new AtomicLong();

  private final ConcurrentSkipListMap<String, Blob> blobs;
  private final Clock clock;
  private final String description;
  private final StoreCapabilities capabilities;
  private volatile boolean closed;

  /** An empty store whose blobs are stamped with the system clock. */
  public MemoryBlobStore() {
    this(Clock.systemUTC());
  }

  /**
   * An empty store whose blobs are stamped with {@code clock}, so that a simulation controls (and skews)
   * what {@link BlobInfo#lastModified()} says.
   */
  public MemoryBlobStore(Clock clock) {
    this(new ConcurrentSkipListMap<>(), clock, "memory store #" + ANONYMOUS_STORES.incrementAndGet());
  }

  MemoryBlobStore(ConcurrentSkipListMap<String, Blob> blobs, Clock clock, String description) {
    this.blobs = blobs;
    this.clock = clock;
    this.description = description;
    this.capabilities =
        new StoreCapabilities(true, Runtime.getRuntime().availableProcessors(), MAX_BLOB_SIZE);
  }

  /** One stored blob; its array is never handed out. */
  record Blob(BlobName name, byte[] bytes, Instant lastModified) {
    BlobInfo info() {
      return new BlobInfo(name, bytes.length, lastModified);
    }
  }

  @Override
  public void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException {
    checkOpen();
    byte[] copy = new byte[content.remaining()];
    content.duplicate().get(copy);
    Blob blob = new Blob(name, copy, clock.instant());
    if (mode == PutMode.CREATE_ONLY) {
      if (blobs.putIfAbsent(name.value(), blob) != null) {
        throw new BlobAlreadyExistsException(name, description);
      }
    } else {
      blobs.put(name.value(), blob);
    }
  }

  @Override
  public ByteBuffer get(BlobName name) throws StorageException {
    checkOpen();
    return ByteBuffer.wrap(find(name).bytes().clone());
  }

  @Override
  public ByteBuffer get(BlobName name, long offset, int length) throws StorageException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "cannot read blob " + name + " at offset " + offset + " with length " + length + ": both must be >= 0");
    }
    checkOpen();
    byte[] bytes = find(name).bytes();
    if (offset > bytes.length - (long) length) {
      throw new StorageException(
          "blob "
              + name
              + " in "
              + description
              + " has "
              + bytes.length
              + " bytes, too few to read "
              + length
              + " at offset "
              + offset
              + ": the blob is shorter than its reference says (truncated or replaced)");
    }
    int start = (int) offset;
    return ByteBuffer.wrap(Arrays.copyOfRange(bytes, start, start + length));
  }

  @Override
  public Optional<BlobInfo> stat(BlobName name) {
    checkOpen();
    Blob blob = blobs.get(name.value());
    return blob == null ? Optional.empty() : Optional.of(blob.info());
  }

  @Override
  public void list(String prefix, Consumer<? super BlobInfo> consumer) {
    BlobName.checkPrefix(prefix);
    checkOpen();
    // The map is sorted by name, so the prefix's blobs are one contiguous run starting at the prefix.
    for (Map.Entry<String, Blob> entry : blobs.tailMap(prefix).entrySet()) {
      if (!entry.getKey().startsWith(prefix)) {
        break;
      }
      consumer.accept(entry.getValue().info());
    }
  }

  @Override
  public void delete(BlobName name) {
    checkOpen();
    blobs.remove(name.value());
  }

  @Override
  public StoreCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    closed = true;
  }

  private Blob find(BlobName name) throws BlobNotFoundException {
    Blob blob = blobs.get(name.value());
    if (blob == null) {
      throw new BlobNotFoundException(name, description);
    }
    return blob;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(description + " is closed: open the store again to use it");
    }
  }
}
