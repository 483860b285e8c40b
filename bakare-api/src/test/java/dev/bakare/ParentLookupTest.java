package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.Layout;
import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final MemoryBlobStore shared = new MemoryBlobStore(clock);
  /** Counts what is fetched from storage under snapshots/. */
  final CountingStore snapshotStore = new CountingStore(shared, Layout.SNAPSHOTS);
  final EngineHooks counting = new EngineHooks(clock, true, snapshotStore, false);
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
    Repository.init(options, counting).close();
  }

  private Snapshot backup(Repository r, Path path) throws IOException {
    clock.advance(Duration.ofHours(1));
    return r.backup(BackupRequest.of(path));
  }

  @Test
  void amongManySnapshotsOfTheSamePathsOnlyTheNewestFewAreRead() throws IOException {
    try (Repository r = Repository.open(options, counting)) {
      for (int i = 0; i < 40; i++) {
        backup(r, home);
      }
      // Without the snapshots this process read on the way (the snapshot cache), as on another machine.
      Files.delete(temp.resolve("cache").resolve(r.info().id()).resolve("snapshots").resolve("manifests"));
      snapshotStore.takeCount();
      Snapshot again = backup(r, home);
      assertEquals(10, again.stats().unchangedFiles(), "the parent was found: no file was read again");
      int read = snapshotStore.takeCount();
      assertTrue(read <= 8, read + " snapshots read to find the parent among 40");
    }
  }

  @Test
  void aParentBehindManyOtherSnapshotsIsStillFound() throws IOException {
    try (Repository r = Repository.open(options, counting)) {
      backup(r, home);
      for (int i = 0; i < 30; i++) {
        backup(r, other);
      }
      Snapshot again = backup(r, home);
      assertEquals(10, again.stats().unchangedFiles(), "the home snapshot 30 others hide is the parent");
    }
  }
}
