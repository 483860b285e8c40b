package dev.bakare.internal.store;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.testkit.BlobStoreContractTest;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every guarantee of the store contract holds through the wrapper even when a quarter of all operations
 * fail transiently, half of those after taking effect: retried puts, create-only puts that find their own
 * blob, listings that fail after reporting, all look like one clean operation to the caller.
 */
class RetryingBlobStoreContractTest extends BlobStoreContractTest {
  private static final AtomicLong SEEDS = new AtomicLong(20261126);

  @Override
  protected BlobStore openEmptyStore() {
    FaultInjectingBlobStore faulty =
        new FaultInjectingBlobStore(
            new MemoryBlobStore(),
            FaultInjectingBlobStore.Config.builder(SEEDS.incrementAndGet())
                .transientBefore(0.125)
                .transientAfter(0.125)
                .build());
    return new RetryingBlobStore(faulty, RetryPolicy.defaults(), new FakeTiming(0.5).timing());
  }
}
