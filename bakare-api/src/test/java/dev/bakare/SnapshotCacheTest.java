package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.Layout;
import dev.bakare.internal.snapshot.SnapshotCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots read once are kept in the cache directory, sealed: listing them again fetches none; a
 * forgotten one leaves the cache; a write key keeps no cache; a damaged cache is replaced.
 */
class SnapshotCacheTest {
  @TempDir Path temp;
  /** Counts what is fetched from storage under snapshots/. */
  final CountedStorage storage = new CountedStorage(Layout.SNAPSHOTS);
  RepositoryOptions options;
  Path source;

  @BeforeEach
  void setUp() throws IOException {
    options = new TestRepo(temp).options().build();
    source = Files.createDirectories(temp.resolve("source"));
    Files.write(source.resolve("a"), BackupRestoreTest.randomBytes(new Random(3), 5000));
    Repository.init(options, storage.hooks).close();
    try (Repository r = Repository.open(options, storage.hooks)) {
      for (int i = 0; i < 5; i++) {
        storage.clock.advance(Duration.ofHours(1));
        r.backup(BackupRequest.builder().path(source).tag("n" + i).build());
      }
    }
  }

  /** Lists the snapshots in a newly opened repository; returns how many were fetched from storage. */
  private int fetchedByAListing(RepositoryOptions with, List<Snapshot> into) throws IOException {
    storage.takeCount();
    try (Repository r = Repository.open(with, storage.hooks)) {
      into.addAll(r.snapshots());
    }
    return storage.takeCount();
  }

  private Path cacheFile(String repositoryId) {
    return SnapshotCache.fileFor(new TestRepo(temp).cacheDirectory(), repositoryId);
  }

  @Test
  void snapshotsListedOnceAreNotFetchedAgainAndReadTheSame() throws IOException {
    List<Snapshot> first = new java.util.ArrayList<>();
    fetchedByAListing(options, first);
    List<Snapshot> second = new java.util.ArrayList<>();
    assertEquals(0, fetchedByAListing(options, second));
    assertEquals(5, second.size());
    assertEquals(first, second, "the cached snapshots read as the stored ones, details and all");
  }

  @Test
  void aForgottenSnapshotLeavesTheCacheAndANewOneJoinsIt() throws IOException {
    List<Snapshot> all = new java.util.ArrayList<>();
    fetchedByAListing(options, all);
    String repositoryId;
    try (Repository r = Repository.open(options, storage.hooks)) {
      repositoryId = r.info().id();
      r.forget(List.of(all.get(0).id()), false);
      storage.clock.advance(Duration.ofHours(1));
      r.backup(BackupRequest.of(source));
    }
    long sizeBefore = Files.size(cacheFile(repositoryId));
    List<Snapshot> now = new java.util.ArrayList<>();
    assertEquals(1, fetchedByAListing(options, now), "only the new snapshot is fetched");
    assertEquals(5, now.size());
    assertFalse(now.stream().anyMatch(s -> s.id().equals(all.get(0).id())));
    assertEquals(0, fetchedByAListing(options, new java.util.ArrayList<>()));
    assertTrue(Files.size(cacheFile(repositoryId)) > 0);
    assertTrue(Math.abs(Files.size(cacheFile(repositoryId)) - sizeBefore) < sizeBefore / 2,
        "the forgotten snapshot made room for the new one");
  }

  @Test
  void aDamagedCacheIsReplacedAndAWriteKeyKeepsNone() throws IOException {
    String repositoryId;
    Path writeKey = temp.resolve("write.key");
    try (Repository r = Repository.open(options, storage.hooks)) {
      repositoryId = r.info().id();
      r.snapshots();
      r.exportWriteKey(writeKey, null);
    }
    Path file = cacheFile(repositoryId);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 3] ^= 1;
    Files.write(file, bytes);
    List<Snapshot> listed = new java.util.ArrayList<>();
    assertEquals(5, fetchedByAListing(options, listed), "a damaged cache is not used");
    assertEquals(5, listed.size());
    assertEquals(0, fetchedByAListing(options, new java.util.ArrayList<>()), "and was written again");

    Files.delete(file);
    RepositoryOptions writer = new TestRepo(temp).options().keyFile(writeKey).build();
    assertEquals(5, fetchedByAListing(writer, new java.util.ArrayList<>()));
    assertEquals(5, fetchedByAListing(writer, new java.util.ArrayList<>()), "a write key reads storage each time");
    assertFalse(Files.exists(file), "and keeps no cache: it could not seal one only the full key opens");
  }
}
