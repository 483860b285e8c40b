package dev.bakare.internal.store;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProviders;
import dev.bakare.store.testkit.BlobStoreContractTest;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract through the wrapper over a file store, the store whose blobs are staged in its own
 * directory, with a quarter of all operations failing transiently, half of those after taking effect:
 * a staged blob whose publishing failed, or took effect without the caller hearing so, is published once.
 */
class RetryingFileBlobStoreContractTest extends BlobStoreContractTest {
  private static final AtomicLong SEEDS = new AtomicLong(20261127);

  @TempDir Path directory;

  @Override
  protected BlobStore openEmptyStore() throws Exception {
    BlobStore files = StorageProviders.open(
        StorageLocation.parse(directory.resolve("repo").toString(), Map.of()), OpenMode.CREATE);
    FaultInjectingBlobStore faulty =
        new FaultInjectingBlobStore(
            files,
            FaultInjectingBlobStore.Config.builder(SEEDS.incrementAndGet())
                .transientBefore(0.125)
                .transientAfter(0.125)
                .build());
    return new RetryingBlobStore(faulty, RetryPolicy.defaults(), new FakeTiming(0.5).timing());
  }
}
