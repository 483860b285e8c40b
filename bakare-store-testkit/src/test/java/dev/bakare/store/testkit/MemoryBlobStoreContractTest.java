package dev.bakare.store.testkit;

import dev.bakare.store.spi.BlobStore;

class MemoryBlobStoreContractTest extends BlobStoreContractTest {
  @Override
  protected BlobStore openEmptyStore() {
    return new MemoryBlobStore();
  }
}
