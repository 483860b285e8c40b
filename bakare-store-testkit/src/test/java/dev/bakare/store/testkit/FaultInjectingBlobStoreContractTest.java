package dev.bakare.store.testkit;

import dev.bakare.store.spi.BlobStore;

/** With no faults configured, the wrapper must be an exact stand-in for the store it wraps. */
class FaultInjectingBlobStoreContractTest extends BlobStoreContractTest {
  @Override
  protected BlobStore openEmptyStore() {
    return new FaultInjectingBlobStore(new MemoryBlobStore(), FaultInjectingBlobStore.Config.builder(1).build());
  }
}
