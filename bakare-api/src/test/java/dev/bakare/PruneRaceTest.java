package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup that commits while a prune sweeps. Found by the concurrency simulation (seed 1000006): the
 * sweep listed {@code data/} once, early, and when it rewrote the index segments it dropped every pack
 * missing from that listing as "already gone", including the packs of a backup that uploaded and indexed
 * them after the listing. That backup's snapshot was committed, its packs were in storage, and no index
 * located its chunks any more: restore failed, and every later prune stopped on the unreadable tree.
 */
class SweepRaceTest {
  private static final PruneRequest NOW = PruneRequest.builder().grace(Duration.ZERO).build();

  @TempDir Path temp;

  @Test
  void aBackupCommittedWhileASweepRunsKeepsItsIndex() throws Exception {
    TestRepo repo = new TestRepo(temp);
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    MemoryBlobStore shared = new MemoryBlobStore(clock);
    EngineHooks hooks = new EngineHooks(clock, true, shared, false);
    Random random = new Random(3);
    Path old = Files.createDirectories(temp.resolve("old"));
    Files.write(old.resolve("a"), BackupRestoreTest.randomBytes(random, 200_000));
    Path fresh = Files.createDirectories(temp.resolve("fresh"));
    Files.write(fresh.resolve("b"), BackupRestoreTest.randomBytes(random, 200_000));
    RepositoryOptions options = repo.options().build();
    try (Repository r = Repository.init(options, hooks)) {
      Snapshot s = r.backup(BackupRequest.of(old));
      r.forget(List.of(s.id()), false);
      assertTrue(r.prune(NOW).packsMarked() > 0, "the first prune marks the forgotten snapshot's packs");
    }

    PauseAfterFirstListing pause = new PauseAfterFirstListing("data/");
    FaultInjectingBlobStore pausing = new FaultInjectingBlobStore(shared,
        FaultInjectingBlobStore.Config.builder(1).interceptor(pause).build());
    try (Repository pruner = Repository.open(options, new EngineHooks(clock, true, pausing, false));
        Repository writer = Repository.open(options, hooks)) {
      CompletableFuture<PruneResult> sweep = CompletableFuture.supplyAsync(() -> {
        try {
          return pruner.prune(NOW);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      pause.awaitPaused();
      // The sweep has listed the packs; this backup uploads new ones and commits before it goes on.
      Snapshot committed = writer.backup(BackupRequest.of(fresh));
      pause.resume();
      assertTrue(sweep.get().packsDeleted() > 0, "the sweep deleted the forgotten snapshot's packs");

      try (Repository reader = Repository.open(options, hooks)) {
        Path target = temp.resolve("target");
        RestoreResult result = reader.restore(committed.id(), target);
        assertTrue(result.isComplete(), result.errors().toString());
        assertSameTree(fresh, restored(target, fresh));
        CheckResult check = reader.check(CheckRequest.readAllData());
        assertEquals(List.of(), check.problems());
      }
    }
  }

  /** Holds the caller after its first listing of a prefix returned, until resumed. */
  private static final class PauseAfterFirstListing implements FaultInjectingBlobStore.Interceptor {
    private final String prefix;
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resumed = new CountDownLatch(1);

    PauseAfterFirstListing(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public void after(FaultInjectingBlobStore.Operation operation, String subject, @Nullable Exception failure)
        throws InterruptedException {
      if (operation == FaultInjectingBlobStore.Operation.LIST && subject.equals(prefix) && paused.getCount() > 0) {
        paused.countDown();
        resumed.await();
      }
    }

    void awaitPaused() throws InterruptedException {
      assertTrue(paused.await(60, TimeUnit.SECONDS), "the prune never listed " + prefix);
    }

    void resume() {
      resumed.countDown();
    }
  }
}
