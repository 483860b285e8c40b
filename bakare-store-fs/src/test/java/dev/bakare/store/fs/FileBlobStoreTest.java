package dev.bakare.store.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bakare.store.spi.BlobAlreadyExistsException;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.spi.BlobName;
import dev.bakare.store.spi.BlobNotFoundException;
import dev.bakare.store.spi.BlobStore;
import dev.bakare.store.spi.OpenMode;
import dev.bakare.store.spi.PutMode;
import dev.bakare.store.spi.StorageException;
import dev.bakare.store.spi.StorageLocation;
import dev.bakare.store.spi.StorageProviders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest {
  private static final BlobName BLOB = BlobName.of("data/ab/abcd");
  private static final byte[] CONTENT = "pack bytes".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path directory;

  @Test
  void aBlobIsTheFileOfTheSameNameBelowTheRoot() throws Exception {
    Path root = directory.resolve("repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      put(store, BLOB, CONTENT, PutMode.CREATE_ONLY);
      assertArrayEquals(CONTENT, Files.readAllBytes(root.resolve("data/ab/abcd")));
      assertEquals(root.toString(), store.describe());
    }
  }

  @Test
  void leftoversOfCrashedPutsAndForeignFilesAreNeverBlobs() throws Exception {
    Path root = directory.resolve("repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      put(store, BLOB, CONTENT, PutMode.CREATE_ONLY);
      // What a put that died between creating and publishing its temporary file leaves behind.
      Files.write(root.resolve("data/ab/~put-0123456789abcdef"), new byte[] {1, 2});
      Files.write(root.resolve("~put-fedcba9876543210"), new byte[] {3});
      Files.write(root.resolve("~probe-42"), new byte[0]);
      Files.write(root.resolve("data/ab/not a blob"), new byte[] {4});
      Files.createDirectories(root.resolve("data/~put-dir/abcd"));

      assertEquals(Map.of(BLOB.value(), (long) CONTENT.length), listSizes(store, ""));
      assertEquals(Map.of(BLOB.value(), (long) CONTENT.length), listSizes(store, "data/ab/"));
      assertEquals(Map.of(), listSizes(store, "data/ab/a0"));

      BlobName sibling = BlobName.of("data/ab/0123");
      put(store, sibling, CONTENT, PutMode.CREATE_ONLY);
      assertArrayEquals(CONTENT, bytes(store.get(sibling)), "a put beside leftovers");
    }
  }

  @Test
  void putsLeaveNoTemporaryFilesBehindWhetherTheySucceedOrFail() throws Exception {
    Path root = directory.resolve("repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      assertEquals(List.of(), temporaryFiles(root), "opening left its probe files");
      put(store, BLOB, CONTENT, PutMode.CREATE_ONLY);
      put(store, BLOB, new byte[100_000], PutMode.REPLACE);
      put(store, BlobName.of("index/i1"), new byte[0], PutMode.REPLACE);
      assertThrows(BlobAlreadyExistsException.class, () -> put(store, BLOB, CONTENT, PutMode.CREATE_ONLY));
      // A directory of blobs is in the way of these: the rename or link fails after the temp file exists.
      assertThrows(StorageException.class, () -> put(store, BlobName.of("data/ab"), CONTENT, PutMode.REPLACE));
      assertThrows(StorageException.class, () -> put(store, BlobName.of("data/ab"), CONTENT, PutMode.CREATE_ONLY));
      assertEquals(List.of(), temporaryFiles(root));
    }
  }

  @Test
  void aBlobAndANameBelowItCannotBothBeStored() throws Exception {
    Path root = directory.resolve("repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      BlobName parent = BlobName.of("keys/k1");
      BlobName child = BlobName.of("keys/k1/extra");
      put(store, parent, CONTENT, PutMode.CREATE_ONLY);

      StorageException below = assertThrows(StorageException.class, () -> put(store, child, CONTENT, PutMode.REPLACE));
      assertFalse(below.isTransient(), below.toString());
      assertTrue(below.getMessage().contains(root.resolve("keys/k1").toString()), below.getMessage());
      assertEquals(Optional.empty(), store.stat(child));
      assertInstanceOf(BlobNotFoundException.class, assertThrows(StorageException.class, () -> store.get(child)));
      store.delete(child);
      assertEquals(Map.of(), listSizes(store, "keys/k1/"));

      StorageException over =
          assertThrows(StorageException.class, () -> put(store, BlobName.of("keys"), CONTENT, PutMode.CREATE_ONLY));
      assertFalse(over instanceof BlobAlreadyExistsException, "no blob 'keys' exists, only a directory: " + over);
      assertFalse(over.isTransient(), over.toString());
      assertArrayEquals(CONTENT, bytes(store.get(parent)), "a refused put touched another blob");
    }
  }

  @Test
  void blobsSurviveReopening() throws Exception {
    Path root = directory.resolve("repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      put(store, BLOB, CONTENT, PutMode.CREATE_ONLY);
    }
    try (BlobStore store = open(root, OpenMode.EXISTING)) {
      assertArrayEquals(CONTENT, bytes(store.get(BLOB)));
    }
  }

  @Test
  void existingModeNeedsTheDirectoryAndCreatesNothing() throws Exception {
    Path missing = directory.resolve("no/such/repo");
    StorageException e = assertThrows(StorageException.class, () -> open(missing, OpenMode.EXISTING));
    assertEquals(
        "no repository directory at " + missing + " (it does not exist): check the path or run init", e.getMessage());
    assertFalse(e.isTransient());
    assertFalse(Files.exists(directory.resolve("no")), "a failed open created directories");

    Path file = Files.write(directory.resolve("file"), CONTENT);
    StorageException notDirectory = assertThrows(StorageException.class, () -> open(file, OpenMode.EXISTING));
    assertTrue(notDirectory.getMessage().contains(file + " (it is a file, not a directory)"), notDirectory.getMessage());
    StorageException cannotCreate = assertThrows(StorageException.class, () -> open(file, OpenMode.CREATE));
    assertTrue(cannotCreate.getMessage().contains("not a directory"), cannotCreate.getMessage());
  }

  @Test
  void createModeMakesTheDirectoryAndItsParents() throws Exception {
    Path root = directory.resolve("a/b/repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      assertTrue(Files.isDirectory(root));
      assertTrue(store.capabilities().atomicCreateOnly(), "this machine's file systems have hard links");
      assertEquals(FileBlobStore.RECOMMENDED_CONCURRENCY, store.capabilities().recommendedConcurrency());
    }
    try (BlobStore again = open(root, OpenMode.CREATE)) {
      assertEquals(Map.of(), listSizes(again, ""), "CREATE of an existing directory");
    }
  }

  @Test
  void unknownOptionsAreRejectedByName() {
    StorageException e =
        assertThrows(
            StorageException.class,
            () ->
                StorageProviders.open(
                    StorageLocation.parse(directory.toString(), Map.of("s3.region", "eu-west-1")), OpenMode.EXISTING));
    assertTrue(e.getMessage().contains("unknown option [s3.region]"), e.getMessage());
    assertFalse(e.isTransient());
  }

  @Test
  void theProviderIsFoundForPlainPathsAndFileUris() throws Exception {
    Path root = directory.resolve("repo");
    try (BlobStore store =
        StorageProviders.open(StorageLocation.parse(root.toString(), Map.of()), OpenMode.CREATE)) {
      put(store, BLOB, CONTENT, PutMode.CREATE_ONLY);
    }
    try (BlobStore store =
        StorageProviders.open(StorageLocation.parse(root.toUri().toString(), Map.of()), OpenMode.EXISTING)) {
      assertArrayEquals(CONTENT, bytes(store.get(BLOB)), "the same repository through its file: URI");
    }
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> StorageProviders.open(StorageLocation.parse("file://host" + root, Map.of()), OpenMode.EXISTING));
    assertTrue(e.getMessage().startsWith("malformed file location"), e.getMessage());
  }

  @Test
  void aNewRepositoryIsPrivateToItsOwner() throws Exception {
    assumeTrue(posix(), "no POSIX permissions here");
    Path root = directory.resolve("repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      put(store, BLOB, CONTENT, PutMode.CREATE_ONLY);
    }
    assertEquals("rwx------", permissions(root));
    assertEquals("rwx------", permissions(root.resolve("data/ab")));
    assertEquals("rw-------", permissions(root.resolve("data/ab/abcd")));
  }

  @Test
  void aGroupSharedRepositoryGivesNoMoreThanItsDirectoryAllows() throws Exception {
    assumeTrue(posix(), "no POSIX permissions here");
    Path root = Files.createDirectory(directory.resolve("shared"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-x---"));
    try (BlobStore store = open(root, OpenMode.EXISTING)) {
      put(store, BLOB, CONTENT, PutMode.CREATE_ONLY);
    }
    // The umask may take more away, never add: others get nothing, the owner reads and writes.
    Set<PosixFilePermission> file = Files.getPosixFilePermissions(root.resolve("data/ab/abcd"));
    assertTrue(PosixFilePermissions.fromString("rw-r-----").containsAll(file), "file mode " + file);
    assertTrue(file.containsAll(PosixFilePermissions.fromString("rw-------")), "file mode " + file);
    Set<PosixFilePermission> dir = Files.getPosixFilePermissions(root.resolve("data/ab"));
    assertTrue(PosixFilePermissions.fromString("rwxr-x---").containsAll(dir), "directory mode " + dir);
  }

  @Test
  void permissionDeniedIsPermanentAndNamesThePath() throws Exception {
    assumeTrue(posix(), "no POSIX permissions here");
    Path root = directory.resolve("repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-x------"));
      try {
        assumeFalse(Files.isWritable(root), "running as root, which permissions do not stop");
        StorageException e = assertThrows(StorageException.class, () -> put(store, BLOB, CONTENT, PutMode.REPLACE));
        assertFalse(e.isTransient(), e.toString());
        assertTrue(e.getMessage().startsWith("permission denied writing blob " + BLOB + " at "), e.getMessage());
        assertTrue(e.getMessage().contains("check the owner and mode of the repository directory " + root), e.getMessage());
      } finally {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
      }
    }
  }

  @Test
  void aVanishedRepositoryDirectoryIsReportedAsSuch() throws Exception {
    Path root = directory.resolve("repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      Files.delete(root);
      StorageException put = assertThrows(StorageException.class, () -> put(store, BLOB, CONTENT, PutMode.REPLACE));
      assertTrue(put.getMessage().contains("repository directory " + root + " has disappeared"), put.getMessage());
      assertFalse(Files.exists(root), "a put recreated a vanished repository directory");
      StorageException list = assertThrows(StorageException.class, () -> listSizes(store, ""));
      assertTrue(list.getMessage().contains("has disappeared"), list.getMessage());
    }
  }

  private static BlobStore open(Path root, OpenMode mode) throws StorageException {
    return new FileStorageProvider().open(StorageLocation.parse(root.toString(), Map.of()), mode);
  }

  private static void put(BlobStore store, BlobName name, byte[] content, PutMode mode) throws StorageException {
    store.put(name, ByteBuffer.wrap(content), mode);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static Map<String, Long> listSizes(BlobStore store, String prefix) throws StorageException {
    Map<String, Long> sizes = new TreeMap<>();
    store.list(prefix, (BlobInfo info) -> sizes.put(info.name().value(), info.size()));
    return sizes;
  }

  private static List<Path> temporaryFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(path -> path.getFileName().toString().contains("~")).collect(Collectors.toList());
    }
  }

  private boolean posix() {
    return directory.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void leftoversOfInterruptedPutsOlderThanTheAgeAreRemovedAndNothingElse() throws Exception {
    Path root = directory.resolve("repo");
    try (BlobStore store = open(root, OpenMode.CREATE)) {
      put(store, BLOB, CONTENT, PutMode.CREATE_ONLY);
      Path old = root.resolve("data/ab").resolve(FileBlobStore.TEMP_PREFIX + "0000000000000001");
      Path young = root.resolve("data/ab").resolve(FileBlobStore.TEMP_PREFIX + "0000000000000002");
      Files.write(old, new byte[1000]);
      Files.write(young, new byte[10]);
      Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(
          java.time.Instant.now().minus(java.time.Duration.ofHours(3))));
      assertEquals(1000, store.removeIncompleteUploads(java.time.Duration.ofHours(1)));
      assertFalse(Files.exists(old));
      assertTrue(Files.exists(young), "a put may still be writing it");
      assertArrayEquals(CONTENT, Files.readAllBytes(root.resolve("data/ab/abcd")));
    }
  }
}
