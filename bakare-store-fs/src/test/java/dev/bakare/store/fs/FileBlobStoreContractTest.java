package dev.bakare.store.fs;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProviders;
import dev.bakare.store.testkit.BlobStoreContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreContractTest extends BlobStoreContractTest {
  @TempDir Path directory;

  @Override
  protected BlobStore openEmptyStore() throws Exception {
    return StorageProviders.open(StorageLocation.parse(directory.resolve("repo").toString(), Map.of()), OpenMode.CREATE);
  }
}
