package dev.bakare.store.s3;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProviders;
import dev.bakare.store.testkit.BlobStoreContractTest;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The conformance suite against s3proxy on loopback, each test in a fresh prefix of one bucket. */
class S3BlobStoreContractTest extends BlobStoreContractTest {
  private static final String BUCKET = "contract";
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static S3Server server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3Server.inMemory();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Override
  protected BlobStore openEmptyStore() throws Exception {
    String location = "s3://" + BUCKET + "/repo-" + PREFIXES.incrementAndGet();
    return StorageProviders.open(StorageLocation.parse(location, server.options()), OpenMode.CREATE);
  }

  /** Above the multipart threshold, so the large-blob test goes up in parts (16 + 16 + 8 MiB). */
  @Override
  protected int largeBlobSize() {
    return (int) S3BlobStore.MULTIPART_THRESHOLD + 8 * 1024 * 1024;
  }
}
