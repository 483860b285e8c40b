package dev.bakare.store.spi;

/**
 * What a {@link BlobStore} can do and how it is best driven.
 *
 * @param atomicCreateOnly whether {@link PutMode#CREATE_ONLY} is atomic: of two concurrent creators of
 *     one name exactly one succeeds. Where it is false, create-only is a check followed by a write, and
 *     callers that need mutual exclusion must not rely on it.
 * @param recommendedConcurrency how many operations to keep in flight to use the store's bandwidth
 *     (a local disk wants a few, a remote object store on a high-latency link many)
 * @param maxBlobSize the largest blob the store accepts, in bytes
 * @param streamsFromFiles whether {@link BlobStore#putFrom} sends or copies the file's bytes without
 *     holding the whole blob in memory: callers then stage large blobs in files, which keeps their memory
 *     independent of blob size and of the puts in flight. False for the interface's default, which reads
 *     the file into a buffer first.
 */
public record StoreCapabilities(
    boolean atomicCreateOnly, int recommendedConcurrency, long maxBlobSize, boolean streamsFromFiles) {
  /** Capabilities of a store that keeps {@link BlobStore#putFrom}'s default. */
  public StoreCapabilities(boolean atomicCreateOnly, int recommendedConcurrency, long maxBlobSize) {
    this(atomicCreateOnly, recommendedConcurrency, maxBlobSize, false);
  }

  public StoreCapabilities {
    if (recommendedConcurrency < 1) {
      throw new IllegalArgumentException("recommendedConcurrency must be >= 1, got " + recommendedConcurrency);
    }
    if (maxBlobSize < 1) {
      throw new IllegalArgumentException("maxBlobSize must be >= 1, got " + maxBlobSize);
    }
  }

  /**
   * Fails with an {@link IllegalArgumentException} naming the blob unless {@code 0 <= length <=}
   * {@link #maxBlobSize()}: for stores checking what they are asked to put.
   */
  public void checkBlobLength(BlobName name, long length) {
    checkLength(name, length, maxBlobSize);
  }

  /** Fails with an {@link IllegalArgumentException} naming the blob unless {@code 0 <= length <= max}. */
  static void checkLength(BlobName name, long length, long max) {
    if (length < 0 || length > max) {
      throw new IllegalArgumentException(
          "cannot put blob " + name + " of " + length + " bytes: the length must be in [0, " + max + "]");
    }
  }
}
