package dev.bakare.store.s3;

import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProviders;
import dev.bakare.store.testkit.BlobStoreContractTest;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite against s3proxy on loopback with its in-memory back end, each test in a fresh
 * prefix of one bucket. {@link S3OnDiskContractTest} runs it against the file back end.
 */
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
    return open(server, BUCKET, PREFIXES.incrementAndGet());
  }

  static BlobStore open(S3Server server, String bucket, int prefix) throws Exception {
    String location = "s3://" + bucket + "/repo-" + prefix;
    return StorageProviders.open(StorageLocation.parse(location, server.options()), OpenMode.CREATE);
  }

  /** Above the multipart threshold, so the large-blob test goes up in parts (16 + 16 + 8 MiB). */
  @Override
  protected int largeBlobSize() {
    return (int) S3BlobStore.MULTIPART_THRESHOLD + 8 * 1024 * 1024;
  }

  /**
   * Seen failing once in several runs: a HEAD while another client replaced the object answered size 0,
   * though every GET returned a whole version. S3 PUTs replace objects atomically and the store reports
   * HEAD's Content-Length as it is, so this is s3proxy's in-memory back end (jimfs); the same test passes
   * against its file back end in {@link S3OnDiskContractTest}.
   */
  @Test
  @Disabled("s3proxy 4.0.0's in-memory back end can answer a HEAD during a replacement with size 0; "
      + "S3OnDiskContractTest runs this test against the file back end")
  @Override
  public void readersNeverSeeAPartialReplacement() {}
}
