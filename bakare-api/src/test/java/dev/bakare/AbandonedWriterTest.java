package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup paused after uploading its packs and before indexing them, for longer than the session expiry
 * and grace: a prune marks its unindexed packs, judges it abandoned and deletes them; then it resumes,
 * writes the index segment for the deleted packs, loses its claim and heals by another pass. The segment
 * it wrote late lists packs that are gone (docs/design.md 12.5 expects such entries).
 */
class AbandonedWriterTest {
  private static final PruneRequest PRUNE = PruneRequest.builder().grace(Duration.ofMinutes(5))
      .sessionExpiry(Duration.ofMinutes(10)).build();

  @TempDir Path temp;

  @Test
  void aBackupWhosePacksWerePrunedBeforeItIndexedThemHealsAndRestores() throws Exception {
    Outcome outcome = pauseBeforeIndexingUntilPruned();
    try (Repository r = outcome.open()) {
      RestoreResult restored = r.restore(outcome.snapshot().id(), temp.resolve("target"));
      assertTrue(restored.isComplete(), restored.errors().toString());
    }
  }

  /**
   * Found by the concurrency simulation (seed 1000057): check reported the late segment's entries as
   * problems ("missing from storage, but index segment ... lists it", exit code 1) although nothing
   * references those packs, and prune dropped them only when it swept something, so they could stay.
   */
  @Test
  void checkIsCleanAfterAnAbandonedBackupIndexedDeletedPacks() throws Exception {
    Outcome outcome = pauseBeforeIndexingUntilPruned();
    try (Repository r = outcome.open()) {
      CheckResult check = r.check(CheckRequest.readAllData());
      assertEquals(List.of(), check.problems(), "right after the heal");
      assertTrue(check.notes().stream().anyMatch(n -> n.contains("is missing from storage, but index segment")
          && n.contains("no snapshot needs it")), check.notes().toString());
      for (int i = 0; i < 2; i++) {
        outcome.clock().advance(Duration.ofHours(1));
        r.prune(PRUNE);
      }
      var present = r.engine().packsInStorage().keySet();
      for (var segment : r.engine().indexSegmentNames()) {
        for (var pack : r.engine().readIndexSegment(segment).packs()) {
          assertTrue(present.contains(pack.pack().id()), "prunes drop the entries of packs that are gone, but "
              + segment + " still lists " + pack.pack().id().shortHex());
        }
      }
    }
  }

  private record Outcome(Snapshot snapshot, MutableClock clock, RepositoryOptions options, EngineHooks hooks) {
    Repository open() throws IOException {
      return Repository.open(options, hooks);
    }
  }

  private Outcome pauseBeforeIndexingUntilPruned() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    MemoryBlobStore shared = new MemoryBlobStore(clock);
    EngineHooks hooks = new EngineHooks(clock, true, shared, false);
    RepositoryOptions options = new TestRepo(temp).options().heartbeat(Duration.ofSeconds(10)).build();
    Path source = Files.createDirectories(temp.resolve("source"));
    Files.write(source.resolve("a"), BackupRestoreTest.randomBytes(new Random(5), 300_000));
    Repository.init(options, hooks).close();

    PauseAt pause = PauseAt.before(FaultInjectingBlobStore.Operation.PUT, "index/", "");
    try (Repository writer = Repository.open(options, new EngineHooks(clock, true, pause.wrap(shared), false));
        Repository pruner = Repository.open(options, hooks)) {
      CompletableFuture<Snapshot> backup = PauseAt.inBackground(() -> writer.backup(BackupRequest.of(source)));
      pause.awaitPaused("the backup indexes its packs");
      PruneResult mark = pruner.prune(PRUNE);
      assertTrue(mark.packsMarked() > 0, "the unindexed packs are marked: " + mark);
      clock.advance(Duration.ofHours(1));
      PruneResult sweep = pruner.prune(PRUNE);
      assertEquals(1, sweep.sessionsAbandoned(), sweep.toString());
      assertEquals(mark.packsMarked(), sweep.packsDeleted(), sweep.toString());
      pause.resume();
      return new Outcome(backup.get(), clock, options, hooks);
    }
  }
}
