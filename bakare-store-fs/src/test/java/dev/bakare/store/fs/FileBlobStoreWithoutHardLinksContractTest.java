package dev.bakare.store.fs;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.testkit.BlobStoreContractTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The fallback for file systems without hard links must keep every guarantee but atomic create-only. */
class FileBlobStoreWithoutHardLinksContractTest extends BlobStoreContractTest {
  @TempDir Path directory;

  @Override
  protected BlobStore openEmptyStore() throws Exception {
    return FileBlobStore.open(directory, List.of()).withoutHardLinks();
  }
}
