package dev.bakare.store.spi;

/** How {@link BlobStore#put} treats a blob that already exists under the name. */
public enum PutMode {
  /**
   * Fail with {@link BlobAlreadyExistsException} if the name is taken. Where {@link
   * StoreCapabilities#atomicCreateOnly()} holds, of two concurrent create-only puts exactly one succeeds.
   */
  CREATE_ONLY,
  /**
   * Replace any existing blob. Callers use it only for blobs whose name is derived from their content
   * (so a replacement carries identical bytes) and to retry an upload whose outcome is unknown.
   */
  REPLACE
}
