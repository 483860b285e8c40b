/**
 * Test support for storage providers: a conformance suite every {@link dev.bakare.store.spi.BlobStore}
 * runs, an in-memory store (scheme {@code mem}) and a fault-injecting wrapper.
 */
module dev.bakare.store.testkit {
  requires transitive dev.bakare.store.spi;
  requires transitive org.junit.jupiter.api;
  requires static transitive org.jspecify;

  exports dev.bakare.store.testkit;

  provides dev.bakare.store.spi.StorageProvider with
      dev.bakare.store.testkit.MemoryStorageProvider;
}
