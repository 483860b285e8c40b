package dev.bakare.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProviders;
import dev.bakare.store.testkit.FaultProxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/** What the conformance suite does not cover: S3 specifics, and failing clearly on bad input. */
class S3BlobStoreTest {
  private static S3Server server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3Server.inMemory();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  private static BlobStore open(String location, Map<String, String> options) throws StorageException {
    return StorageProviders.open(StorageLocation.parse(location, options), OpenMode.EXISTING);
  }

  @Test
  void itRecommendsItsConnectionCountAndLeavesNoProbeBehind() throws Exception {
    server.createBucket("probe");
    try (BlobStore store = open("s3://probe/repo", S3Server.with(server.options(), "s3.connections", "7"))) {
      assertEquals(7, store.capabilities().recommendedConcurrency());
      assertTrue(store.capabilities().atomicCreateOnly(), "s3proxy honours If-None-Match: the probe says so");
      assertEquals("s3://probe/repo at " + server.endpoint(), store.describe());
    }
    assertEquals(List.of(), server.keys("probe"), "opening writes nothing that stays");
  }

  @Test
  void withoutConditionalPutsCreateOnlyChecksFirstAndSaysItIsNotAtomic() throws Exception {
    server.createBucket("plain");
    try (BlobStore store = open("s3://plain", S3Server.with(server.options(), "s3.conditional-put", "false"))) {
      assertFalse(store.capabilities().atomicCreateOnly());
      BlobName name = BlobName.of("config");
      store.put(name, ByteBuffer.wrap(new byte[] {1}), PutMode.CREATE_ONLY);
      assertThrows(BlobAlreadyExistsException.class,
          () -> store.put(name, ByteBuffer.wrap(new byte[] {2}), PutMode.CREATE_ONLY));
      assertArrayEquals(new byte[] {1}, bytes(store.get(name)));
    }
  }

  @Test
  void largeBlobsGoUpInPartsAndCreateOnlyHoldsForThem() throws Exception {
    server.createBucket("multipart");
    int size = (int) S3BlobStore.MULTIPART_THRESHOLD + 3 * S3BlobStore.PART_SIZE / 2;
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    BlobName name = BlobName.of("data/ff/large");
    try (BlobStore store = open("s3://multipart/r", server.options())) {
      store.put(name, ByteBuffer.wrap(content), PutMode.CREATE_ONLY);
      assertThrows(BlobAlreadyExistsException.class,
          () -> store.put(name, ByteBuffer.wrap(content), PutMode.CREATE_ONLY));
      assertArrayEquals(content, bytes(store.get(name)));
      assertEquals(size, store.stat(name).orElseThrow().size());
      byte[] range = bytes(store.get(name, S3BlobStore.PART_SIZE - 10, 20));
      assertArrayEquals(java.util.Arrays.copyOfRange(content, S3BlobStore.PART_SIZE - 10, S3BlobStore.PART_SIZE + 10),
          range, "a range across the first part boundary");
    }
    assertEquals(List.of("r/data/ff/large"), server.keys("multipart"));
  }

  /**
   * s3proxy reports every upload as started at the moment it is listed, so here nothing is ever older than
   * a positive age; a negative one stands in for "started long ago" (real S3 and MinIO keep the time).
   */
  @Test
  void unfinishedMultipartUploadsOfTheRepositoryAreAbortedOnceOldEnough() throws Exception {
    server.createBucket("leftovers");
    try (S3Client raw = rawClient()) {
      // What a backup killed during a large put leaves, and another repository's upload in the same bucket.
      String key = "r/data/ab/abandoned";
      String id = raw.createMultipartUpload(b -> b.bucket("leftovers").key(key)).uploadId();
      raw.uploadPart(b -> b.bucket("leftovers").key(key).uploadId(id).partNumber(1),
          RequestBody.fromBytes(new byte[S3BlobStore.PART_SIZE]));
      raw.createMultipartUpload(b -> b.bucket("leftovers").key("other/data/ab/running"));
      try (BlobStore store = open("s3://leftovers/r", server.options())) {
        assertEquals(0, store.removeIncompleteUploads(Duration.ofHours(1)), "younger than the age: kept");
        assertEquals(List.of(key, "other/data/ab/running"), uploads(raw, "leftovers"));
        assertEquals(S3BlobStore.PART_SIZE, store.removeIncompleteUploads(Duration.ofMinutes(-1)));
        assertEquals(0, store.removeIncompleteUploads(Duration.ofMinutes(-1)), "nothing left to abort");
      }
      assertEquals(List.of("other/data/ab/running"), uploads(raw, "leftovers"), "another repository's upload stays");
    }
    // (s3proxy keeps a stub object for the other, still open upload, outside the repository's prefix.)
    assertEquals(List.of(), server.keys("leftovers").stream().filter(k -> k.startsWith("r/")).toList(),
        "no object was made of the parts");
  }

  private static List<String> uploads(S3Client raw, String bucket) {
    return raw.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream().map(MultipartUpload::key).sorted(
        java.util.Comparator.reverseOrder()).toList();
  }

  /**
   * A read or delete on a pooled connection the server closed while it sat idle (at a keep-alive timeout, say;
   * two clean-clone runs failed on it) is sent again, not failed: the proxy closes every connection
   * between two reads, as the server would.
   */
  @Test
  void readsAndDeletesOnAConnectionTheServerClosedMeanwhileAreSentAgain() throws Exception {
    server.createBucket("stale");
    BlobName name = BlobName.of("data/ab/blob");
    try (FaultProxy proxy = FaultProxy.builder("127.0.0.1", server.port()).seed(1).build().start();
        BlobStore store = open("s3://stale/r", S3Server.options(java.net.URI.create(proxy.httpEndpoint())))) {
      store.put(name, ByteBuffer.wrap(new byte[] {1, 2, 3}), PutMode.CREATE_ONLY);
      for (int round = 0; round < 3; round++) {
        proxy.closeOpenConnections();
        assertArrayEquals(new byte[] {1, 2, 3}, bytes(store.get(name)), "get after the close " + round);
        proxy.closeOpenConnections();
        assertArrayEquals(new byte[] {2}, bytes(store.get(name, 1, 1)), "range get after the close " + round);
        proxy.closeOpenConnections();
        assertEquals(3, store.stat(name).orElseThrow().size(), "stat after the close " + round);
      }
      proxy.closeOpenConnections();
      store.delete(name);
      assertTrue(store.stat(name).isEmpty(), "deleted after the close");
    }
  }

  /**
   * Each put must leave its connection reusable. With aws-chunked bodies, s3proxy answered before the
   * body's last (empty, signed) chunk arrived and then closed the connection, and the next put on it failed
   * with Broken pipe: 23 of these 200 puts did, through this proxy, which forwards bodies in pieces. One
   * connection, so every put but the first reuses one.
   */
  @Test
  void putsLeaveTheirConnectionReusable() throws Exception {
    server.createBucket("reuse");
    byte[] content = new byte[45_001];
    new Random(7).nextBytes(content);
    try (FaultProxy proxy = FaultProxy.builder("127.0.0.1", server.port()).seed(1).build().start();
        BlobStore store = open(
            "s3://reuse/r",
            S3Server.with(S3Server.options(URI.create(proxy.httpEndpoint())), "s3.connections", "1"))) {
      for (int i = 0; i < 200; i++) {
        store.put(BlobName.of("data/ab/blob-" + i), ByteBuffer.wrap(content), PutMode.CREATE_ONLY);
      }
      assertEquals(1, proxy.connections(), "connections opened for 200 puts");
    }
  }

  @Test
  void keysThatAreNoBlobNamesAreNotListed() throws Exception {
    server.createBucket("foreign");
    try (S3Client raw = rawClient()) {
      for (String key : List.of("repo/~probe-0123", "repo/folder/", "repo/has space", "repo-other/data", "other/x")) {
        raw.putObject(b -> b.bucket("foreign").key(key), RequestBody.fromBytes(new byte[] {9}));
      }
    }
    try (BlobStore store = open("s3://foreign/repo", server.options())) {
      store.put(BlobName.of("data/aa/blob"), ByteBuffer.wrap(new byte[3]), PutMode.CREATE_ONLY);
      List<String> listed = new ArrayList<>();
      store.list("", info -> listed.add(info.name().value()));
      assertEquals(List.of("data/aa/blob"), listed);
    }
  }

  @Test
  void aMissingBucketFailsAtOnceSayingToCreateIt() throws Exception {
    StorageException e = assertThrows(StorageException.class, () -> open("s3://no-such-bucket/x", server.options()));
    assertFalse(e.isTransient());
    assertTrue(e.getMessage().startsWith("bucket no-such-bucket does not exist at " + server.endpoint()
        + ": create it first (bakare does not create buckets)"), e.getMessage());
    assertFalse(server.bucketExists("no-such-bucket"), "nothing creates it");
  }

  @Test
  void wrongCredentialsFailAtOnceAsAccessDenied() throws Exception {
    server.createBucket("guarded");
    Map<String, String> wrong = S3Server.with(server.options(), "s3.secret-access-key", "not-the-secret");
    StorageException e = assertThrows(StorageException.class, () -> open("s3://guarded/x", wrong));
    assertFalse(e.isTransient());
    assertTrue(e.getMessage().startsWith("access denied to s3://guarded checking the bucket (HTTP 403"),
        e.getMessage());
    assertTrue(e.getMessage().contains("check the credentials"), e.getMessage());
    assertEquals(List.of(), server.keys("guarded"));
  }

  @Test
  void anUnreachableEndpointIsATransientFailureNamingIt() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }
    URI dead = URI.create("http://127.0.0.1:" + deadPort);
    StorageException e =
        assertThrows(StorageException.class, () -> open("s3://bucket/x", S3Server.with(S3Server.options(dead), "s3.timeout", "2s")));
    assertTrue(e.isTransient(), "a server that is down may come back: " + e);
    assertTrue(e.getMessage().startsWith("cannot get an answer from " + dead + " checking the bucket"), e.getMessage());
  }

  private static S3Client rawClient() {
    return S3Client.builder()
        .httpClientBuilder(Apache5HttpClient.builder())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)))
        .build();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
