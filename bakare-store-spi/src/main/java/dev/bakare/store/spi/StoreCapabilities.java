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
 */
public record StoreCapabilities(boolean atomicCreateOnly, int recommendedConcurrency, long maxBlobSize) {
  public StoreCapabilities {
    if (recommendedConcurrency < 1) {
      throw new IllegalArgumentException("recommendedConcurrency must be >= 1, got " + recommendedConcurrency);
    }
    if (maxBlobSize < 1) {
      throw new IllegalArgumentException("maxBlobSize must be >= 1, got " + maxBlobSize);
    }
  }
}
