package dev.bakare.store.spi;

import java.nio.channels.FileChannel;

/**
 * A file in which a blob is written before its name is known, kept where its store keeps blobs, so that
 * {@link #publish} names it instead of copying its bytes ({@link BlobStore#stage}). Used by one thread at
 * a time.
 *
 * <p>Until it is published or closed the file is an unfinished put: invisible to {@link BlobStore#get},
 * {@link BlobStore#stat} and {@link BlobStore#list}, and, if its process dies, a leftover that {@link
 * BlobStore#removeIncompleteUploads} removes once it is old enough.
 */
public interface StagedBlob extends AutoCloseable {

  /**
   * The file, open for reading and writing and empty at first: the caller writes the blob's bytes into it,
   * at positions of its choice. It stays open until {@link #close}; after {@link #publish} succeeded the
   * bytes are the blob's, and the caller must not write them again.
   */
  FileChannel channel();

  /**
   * Makes the file's bytes (all of them) the blob {@code name}, with the guarantees of {@link
   * BlobStore#put}: atomic, durable, visible to every later read. Where the store cannot name the file
   * (it was removed as a leftover while this process was paused, or the blob's directory is on another
   * file system), it copies the bytes instead, as {@link BlobStore#putFrom} does. Publishing again, after
   * a failure or a success (a retry whose first answer was lost), puts the same bytes again as {@link
   * BlobStore#putFrom} would.
   *
   * @throws BlobAlreadyExistsException if {@code mode} is {@link PutMode#CREATE_ONLY} and the name is taken
   * @throws IllegalArgumentException if the file is larger than {@link StoreCapabilities#maxBlobSize()}
   * @throws IllegalStateException if it was closed
   */
  void publish(BlobName name, PutMode mode) throws StorageException;

  /**
   * Closes the file, and removes it unless it was published. Closing again has no effect.
   */
  @Override
  void close() throws StorageException;
}
