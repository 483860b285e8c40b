package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.content.ChunkIndexCache;
import dev.bakare.internal.format.Layout;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunk index kept in the cache directory: a repository opened again reads from storage only the
 * index segments written since; a prune that replaced segments makes it read them all again; check and
 * prune always read storage.
 */
class IndexCacheTest {
  private static final PruneRequest NOW = PruneRequest.builder().grace(Duration.ZERO).build();

  @TempDir Path temp;
  /** Counts what is fetched from storage under index/. */
  final CountedStorage storage = new CountedStorage(Layout.INDEX);
  RepositoryOptions options;
  Path source;
  String repositoryId;
  /** The snapshot restores check (the clock stands still, so "latest" would not tell two apart). */
  SnapshotId newest;

  @BeforeEach
  void setUp() throws IOException {
    options = new TestRepo(temp).options().build();
    source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(11);
    for (int i = 0; i < 4; i++) {
      Files.write(source.resolve("f" + i), BackupRestoreTest.randomBytes(random, 200_000 + i));
    }
    Repository.init(options, storage.hooks).close();
    try (Repository r = Repository.open(options, storage.hooks)) {
      newest = r.backup(BackupRequest.of(source)).id();
      repositoryId = r.info().id();
    }
  }

  private Set<ObjectId> cachedSegments() {
    ChunkIndexCache.Cached cached = new ChunkIndexCache(new TestRepo(temp).cacheDirectory(), repositoryId, temp.resolve("work"))
        .read().orElseThrow(() -> new AssertionError("no chunk index cache"));
    cached.index().close();
    return cached.segments();
  }

  private Set<ObjectId> segmentsInStorage() {
    Set<ObjectId> ids = new HashSet<>();
    storage.shared.list(Layout.INDEX, info -> Layout.idOf(info.name(), Layout.INDEX).ifPresent(ids::add));
    return ids;
  }

  /** Opens the repository, restores the latest snapshot, and returns how many segments that read. */
  private int segmentsReadByARestore() throws IOException {
    storage.takeCount();
    try (Repository r = Repository.open(options, storage.hooks)) {
      Path target = Files.createTempDirectory(temp, "target");
      RestoreResult result = r.restore(newest, target);
      assertTrue(result.isComplete(), result.errors().toString());
      assertSameTree(source, restored(target, source));
    }
    return storage.takeCount();
  }

  @Test
  void aBackupLeavesTheIndexInTheCacheAndCheckStillReadsStorage() throws IOException {
    int segments = segmentsInStorage().size();
    assertTrue(segments > 0);
    assertEquals(segmentsInStorage(), cachedSegments(), "the backup cached the index with its own segments");
    assertEquals(0, segmentsReadByARestore(), "so the next command reads none");

    Files.delete(ChunkIndexCache.fileFor(new TestRepo(temp).cacheDirectory(), repositoryId));
    assertEquals(segments, segmentsReadByARestore(), "without the cache, an open reads every segment");
    assertEquals(segmentsInStorage(), cachedSegments());
    assertEquals(0, segmentsReadByARestore(), "and caches them for the next");

    storage.takeCount();
    try (Repository r = Repository.open(options, storage.hooks)) {
      CheckResult check = r.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());
    }
    assertTrue(storage.takeCount() >= segments, "check reads every segment from storage");
  }

  @Test
  void aCacheDirectoryThatCannotBeMadeLeavesTheIndexCacheInTheTemporaryDirectory() throws IOException {
    Path blocked = Files.writeString(temp.resolve("not-a-directory"), "a file where the cache directory would be");
    options = new TestRepo(temp).options().cacheDirectory(blocked).build();
    Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "bakare-" + System.getProperty("user.name", "user"));
    Path cacheFile = fallback.resolve(repositoryId).resolve("index").resolve("chunks");
    try {
      assertEquals(segmentsInStorage().size(), segmentsReadByARestore(), "the setup's cache is elsewhere");
      assertTrue(Files.exists(cacheFile), cacheFile + " was written");
      assertEquals(0, segmentsReadByARestore(), "and is used");
    } finally {
      TestFiles.deleteTree(fallback.resolve(repositoryId));
    }
  }

  @Test
  void segmentsAnotherHostWroteAreReadAndAPruneThatReplacedSegmentsMakesTheWholeIndexBeReadAgain()
      throws IOException {
    Set<ObjectId> cached = cachedSegments();
    Files.write(source.resolve("f0"), BackupRestoreTest.randomBytes(new Random(12), 300_000));
    Snapshot first;
    // Another host: the same repository, its own cache directory.
    RepositoryOptions otherHost = new TestRepo(temp).options().cacheDirectory(temp.resolve("other-cache")).build();
    try (Repository r = Repository.open(otherHost, storage.hooks)) {
      first = r.snapshots().get(0);
      storage.clock.advance(Duration.ofMinutes(1));
      newest = r.backup(BackupRequest.of(source)).id();
    }
    Set<ObjectId> added = segmentsInStorage();
    added.removeAll(cached);
    assertFalse(added.isEmpty());
    assertEquals(added.size(), segmentsReadByARestore(), "only the other host's new segments are read");

    try (Repository r = Repository.open(options, storage.hooks)) {
      r.forget(List.of(first.id()), false);
      r.prune(NOW);
      r.prune(NOW);
    }
    Set<ObjectId> listed = segmentsInStorage();
    assertFalse(listed.containsAll(cachedSegments()), "the prune replaced segments the cache holds");
    assertEquals(listed.size(), segmentsReadByARestore(), "so every segment is read again");
    assertEquals(listed, cachedSegments(), "and the cache written again from what storage lists now");
    try (Repository r = Repository.open(options, storage.hooks)) {
      CheckResult check = r.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());
    }
  }
}
