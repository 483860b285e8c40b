package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.Layout;
import dev.bakare.internal.snapshot.SnapshotCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup finds its parent (the newest snapshot of its host and paths) by reading snapshots newest stored
 * first: among many snapshots it decrypts a few, and it still finds a parent many other snapshots hide.
 */
class ParentLookupTest {
  @TempDir Path temp;
  /** Counts what is fetched from storage under snapshots/. */
  final CountedStorage storage = new CountedStorage(Layout.SNAPSHOTS);
  RepositoryOptions options;
  Path home;
  Path other;

  @BeforeEach
  void setUp() throws IOException {
    options = new TestRepo(temp).options().build();
    home = Files.createDirectories(temp.resolve("home"));
    other = Files.createDirectories(temp.resolve("other"));
    Random random = new Random(5);
    for (int i = 0; i < 10; i++) {
      Files.write(home.resolve("h" + i), BackupRestoreTest.randomBytes(random, 1000 + i));
      Files.write(other.resolve("o" + i), BackupRestoreTest.randomBytes(random, 1000 + i));
    }
    Repository.init(options, storage.hooks).close();
  }

  private Snapshot backup(Repository r, Path path) throws IOException {
    storage.clock.advance(Duration.ofHours(1));
    return r.backup(BackupRequest.of(path));
  }

  @Test
  void amongManySnapshotsOfTheSamePathsOnlyTheNewestFewAreRead() throws IOException {
    try (Repository r = Repository.open(options, storage.hooks)) {
      for (int i = 0; i < 40; i++) {
        backup(r, home);
      }
      // Without the snapshots this process read on the way (the snapshot cache), as on another machine.
      Files.delete(SnapshotCache.fileFor(new TestRepo(temp).cacheDirectory(), r.info().id()));
      storage.takeCount();
      Snapshot again = backup(r, home);
      assertEquals(10, again.stats().unchangedFiles(), "the parent was found: no file was read again");
      int read = storage.takeCount();
      assertTrue(read <= 8, read + " snapshots read to find the parent among 40");
    }
  }

  @Test
  void aParentBehindManyOtherSnapshotsIsStillFound() throws IOException {
    try (Repository r = Repository.open(options, storage.hooks)) {
      backup(r, home);
      for (int i = 0; i < 30; i++) {
        backup(r, other);
      }
      Snapshot again = backup(r, home);
      assertEquals(10, again.stats().unchangedFiles(), "the home snapshot 30 others hide is the parent");
    }
  }
}
