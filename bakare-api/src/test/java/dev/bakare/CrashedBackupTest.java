package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup that dies after uploading its packs and before indexing them, then runs again. Found by the
 * concurrency simulation (seed 1000217): the second run deduplicated against the packs of the first (a
 * writer indexes packs no segment lists from their headers), so its snapshot referenced chunks that no
 * index segment lists; every prune then stopped with "N referenced chunks are in no index segment; run
 * check, then repair index", while check found nothing wrong.
 */
class CrashedBackupTest {
  private static final PruneRequest NOW = PruneRequest.builder().grace(Duration.ZERO).build();

  @TempDir Path temp;

  @Test
  void aBackupThatReusesTheUnindexedPacksOfOneThatDiedCanBePrunedLater() throws IOException {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    MemoryBlobStore shared = new MemoryBlobStore(clock);
    EngineHooks hooks = new EngineHooks(clock, true, shared, false);
    RepositoryOptions options = new TestRepo(temp).options().build();
    Path source = Files.createDirectories(temp.resolve("source"));
    Files.write(source.resolve("a"), BackupRestoreTest.randomBytes(new Random(13), 300_000));
    Repository.init(options, hooks).close();
    FaultInjectingBlobStore dying = new FaultInjectingBlobStore(shared, FaultInjectingBlobStore.Config.builder(1)
        .failPermanentlyUnder("index/", FaultInjectingBlobStore.Operation.PUT).build());
    try (Repository crashing = Repository.open(options, new EngineHooks(clock, true, dying, false))) {
      assertThrows(IOException.class, () -> crashing.backup(BackupRequest.of(source)), "dies before indexing");
    }
    try (Repository r = Repository.open(options, hooks)) {
      Snapshot s = r.backup(BackupRequest.of(source));
      PruneResult idle = r.prune(NOW);
      assertEquals(0, idle.packsMarked(), "the packs are in use: " + idle);
      Path target = temp.resolve("target");
      assertTrue(r.restore(s.id(), target).isComplete());
      assertSameTree(source, restored(target, source));

      r.forget(List.of(s.id()), false);
      assertTrue(r.prune(NOW).packsMarked() > 0, "forgotten, its packs are marked");
      assertTrue(r.prune(NOW).packsDeleted() > 0, "and deleted");
      assertEquals(List.of(), r.check(CheckRequest.readAllData()).problems());
    }
  }
}
