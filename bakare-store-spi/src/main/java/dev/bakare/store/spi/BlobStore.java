package dev.bakare.store.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A flat namespace of immutable, named blobs: a directory, a bucket prefix, a map in memory.
 *
 * <p>Every implementation guarantees:
 *
 * <ul>
 *   <li><b>Atomic put</b>: a blob becomes visible whole or not at all; no reader, listing or stat ever
 *       sees a partial blob, also after a crash or power loss during the put.
 *   <li><b>Durable put</b>: when {@link #put} returns, the blob survives a crash of this process and of
 *       the machine (as far as the medium allows: fsync of file and directory, or the object store's
 *       acknowledgement).
 *   <li><b>Read-after-write</b>: once {@link #put} or {@link #delete} returned, every later {@link #get},
 *       {@link #stat} and {@link #list} of any client reflects it.
 *   <li><b>No partial listing entries</b>: {@link #list} reports only complete blobs with their final size.
 *   <li><b>Idempotent delete</b>: deleting a missing blob succeeds.
 * </ul>
 *
 * <p>Names form a flat namespace, but a store may keep them as paths: callers never store both a name
 * and a name below it ({@code a} and {@code a/b}); a store that cannot hold both refuses the second put
 * with a permanent {@link StorageException}.
 *
 * <p>Implementations are safe for concurrent use by many threads. Errors are {@link StorageException}s;
 * {@link StorageException#isTransient()} tells callers whether to retry. Retrying, metrics and
 * throttling are not the implementation's business: callers wrap stores (see {@link ForwardingBlobStore}).
 */
public interface BlobStore extends AutoCloseable {

  /**
   * Stores {@code content} (its remaining bytes; its position is not changed) under {@code name}. The
   * store keeps no reference to {@code content}: changing its bytes after put returned does not change
   * the blob.
   *
   * @throws BlobAlreadyExistsException if {@code mode} is {@link PutMode#CREATE_ONLY} and the name is taken
   */
  void put(BlobName name, ByteBuffer content, PutMode mode) throws StorageException;

  /**
   * Stores the first {@code length} bytes of {@code source} under {@code name}, with the guarantees of
   * {@link #put}. The store reads {@code source} with positional reads from offset 0 (its position is
   * neither used nor changed), may read it more than once (to retry), and keeps no reference to it once
   * this returns; the caller must not change those bytes meanwhile.
   *
   * <p>For callers that stage large blobs in files rather than in memory. The default reads the bytes into
   * one heap buffer and calls {@link #put}; a store that can send or copy them from the file overrides it
   * and says so in {@link StoreCapabilities#streamsFromFiles()}.
   *
   * @throws BlobAlreadyExistsException if {@code mode} is {@link PutMode#CREATE_ONLY} and the name is taken
   * @throws StorageException (not transient) if {@code source} cannot be read or holds fewer than
   *     {@code length} bytes
   * @throws IllegalArgumentException if {@code length} is negative or above {@link
   *     StoreCapabilities#maxBlobSize()}
   */
  default void putFrom(BlobName name, FileChannel source, long length, PutMode mode) throws StorageException {
    StoreCapabilities.checkLength(name, length, Math.min(capabilities().maxBlobSize(), Integer.MAX_VALUE - 8L));
    ByteBuffer content = ByteBuffer.allocate((int) length);
    try {
      while (content.hasRemaining()) {
        if (source.read(content, content.position()) < 0) {
          throw new StorageException("the source of blob " + name + " ends after " + content.position() + " of "
              + length + " bytes: the caller changed it during the put");
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot read the content of blob " + name + " from its source file: " + e.getMessage(),
          e);
    }
    put(name, content.flip(), mode);
  }

  /**
   * A new, empty file for a blob whose name is not known yet (a pack named by the hash of its bytes), in
   * the place where this store keeps its blobs, so that {@link StagedBlob#publish} gives it its name
   * without copying it; empty where the store has no such place, which is the default. The caller closes
   * it. A process that dies before then leaves it behind for {@link #removeIncompleteUploads}.
   *
   * <p>For callers that would otherwise stage a large blob in a file of their own and {@link #putFrom} it:
   * a store on a local file system then writes each byte once instead of twice.
   */
  default Optional<StagedBlob> stage() throws StorageException {
    return Optional.empty();
  }

  /**
   * Returns the whole blob (the buffer's remaining bytes), as a buffer the caller owns: no later call
   * changes it, and changing it changes nothing in the store.
   *
   * @throws BlobNotFoundException if there is no such blob
   */
  ByteBuffer get(BlobName name) throws StorageException;

  /**
   * Returns {@code length} bytes of the blob starting at {@code offset}, as a buffer the caller owns (see
   * {@link #get(BlobName)}).
   *
   * @throws BlobNotFoundException if there is no such blob
   * @throws StorageException (not transient) if the blob ends before {@code offset + length}
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative
   */
  ByteBuffer get(BlobName name, long offset, int length) throws StorageException;

  /**
   * Reads {@code into.remaining()} bytes of the blob starting at {@code offset} into {@code into}, which
   * ends with its position advanced by that many bytes (its limit unchanged). For callers that read many
   * ranges one after another into one buffer, instead of a new buffer per range; on failure the buffer's
   * content is unspecified. The default calls {@link #get(BlobName, long, int)} and copies; a store that
   * can read into the caller's buffer directly overrides it.
   *
   * @throws BlobNotFoundException if there is no such blob
   * @throws StorageException (not transient) if the blob ends before {@code offset + into.remaining()}
   * @throws IllegalArgumentException if {@code offset} is negative
   */
  default void read(BlobName name, long offset, ByteBuffer into) throws StorageException {
    ByteBuffer range = get(name, offset, into.remaining());
    if (range.remaining() != into.remaining()) {
      throw new StorageException("store " + describe() + " returned " + range.remaining() + " bytes of blob " + name
          + " at offset " + offset + " where " + into.remaining() + " were asked for: the store is broken");
    }
    into.put(range);
  }

  /** Returns the blob's size and time, or empty if there is no such blob. */
  Optional<BlobInfo> stat(BlobName name) throws StorageException;

  /**
   * Reports every blob whose name starts with {@code prefix} (see {@link BlobName#checkPrefix}), in no
   * particular order, each exactly once. Blobs put or deleted while the listing runs may or may not be
   * reported.
   *
   * @throws IllegalArgumentException if {@code prefix} is not a valid prefix; checking it first keeps a
   *     prefix such as {@code ../} from reaching outside the store
   */
  void list(String prefix, Consumer<? super BlobInfo> consumer) throws StorageException;

  /** Deletes the blob; succeeds if it does not exist. */
  void delete(BlobName name) throws StorageException;

  /**
   * Removes what puts that never finished left behind (a process killed during a put: temporary files,
   * incomplete multipart uploads) and that is older than {@code age}, by the store's clock, and returns
   * the bytes reclaimed. Callers pass an age beyond which no live put can still be running. A put whose
   * leftovers were removed while its process was paused fails transiently and is retried whole. Stores
   * that leave nothing behind keep the default, which does nothing.
   */
  default long removeIncompleteUploads(java.time.Duration age) throws StorageException {
    return 0;
  }

  /** What this store can do and how it is best driven. */
  StoreCapabilities capabilities();

  /** A human-readable description of the location (a path, an {@code s3://} URI) for messages. */
  String describe();

  /**
   * Releases connections and handles. Closing again has no effect. After close, {@link #put}, {@link
   * #putFrom}, {@link #stage}, {@link StagedBlob#publish}, {@link #get}, {@link #read}, {@link #stat},
   * {@link #list} and {@link #delete} fail with {@link IllegalStateException} ({@link StagedBlob#close}
   * still removes its file); {@link #capabilities()} and {@link #describe()} keep answering, so that
   * messages can still name the store.
   */
  @Override
  void close() throws StorageException;
}
