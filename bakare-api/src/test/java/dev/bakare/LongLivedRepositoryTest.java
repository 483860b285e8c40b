package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
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
 * A repository instance kept open while other processes prune, as an embedding application keeps one.
 * Found by the concurrency simulation (seed 1000001, its reader actor): the instance's index is loaded once
 * and only added to, so after another process repacked a pack and swept the original, the instance still
 * located chunks in the deleted pack first, and restores failed with "pack ... could not be read" although
 * every chunk had a copy in a pack that exists.
 */
class LongLivedRepositoryTest {
  private static final PruneRequest NOW = PruneRequest.builder().grace(Duration.ZERO).maxUnused(0).build();

  @TempDir Path temp;

  @Test
  void restoresAfterAnotherInstanceRepackedAndSweptThePacksItIndexed() throws IOException {
    TestRepo repo = new TestRepo(temp);
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(7);
    Files.write(source.resolve("kept"), BackupRestoreTest.randomBytes(random, 300_000));
    Files.write(source.resolve("dropped"), BackupRestoreTest.randomBytes(random, 300_000));
    // One worker: both files go into one pack.
    RepositoryOptions options = repo.options().threads(1).build();
    try (Repository writer = Repository.init(options); Repository longLived = Repository.open(options)) {
      Snapshot first = writer.backup(BackupRequest.of(source));
      // The long-lived instance loads the index: both files' chunks are in the first pack.
      assertTrue(longLived.restore(first.id(), temp.resolve("before")).isComplete());

      Files.delete(source.resolve("dropped"));
      Snapshot second = writer.backup(BackupRequest.of(source));
      try (Repository pruner = Repository.open(options)) {
        pruner.forget(List.of(first.id()), false);
        PruneResult mark = pruner.prune(NOW);
        assertTrue(mark.packsRepacked() > 0, "the first pack is half garbage and is repacked: " + mark);
        PruneResult sweep = pruner.prune(NOW);
        assertTrue(sweep.packsDeleted() > 0, "the original pack is deleted: " + sweep);
      }

      Path target = temp.resolve("after");
      RestoreResult result = longLived.restore(second.id(), target);
      assertTrue(result.isComplete(), result.errors().toString());
      assertSameTree(source, restored(target, source));
    }
  }

  /**
   * The same, while the restore runs (seed 1000001 again, a later schedule): the restore listed the packs
   * and loaded the index, another instance repacked and swept, and the restore found its packs gone. It follows
   * the chunks to the packs they were moved into, for trees and file data alike.
   */
  @Test
  void aRestoreFollowsChunksThatAPruneMovesWhileItRuns() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    MemoryBlobStore shared = new MemoryBlobStore(clock);
    EngineHooks hooks = new EngineHooks(clock, true, shared, false);
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(11);
    Files.write(source.resolve("kept"), BackupRestoreTest.randomBytes(random, 300_000));
    Files.write(source.resolve("dropped"), BackupRestoreTest.randomBytes(random, 300_000));
    RepositoryOptions options = new TestRepo(temp).options().threads(1).build();
    Snapshot first;
    Snapshot second;
    try (Repository writer = Repository.init(options, hooks)) {
      first = writer.backup(BackupRequest.of(source));
      Files.delete(source.resolve("dropped"));
      second = writer.backup(BackupRequest.of(source));
    }
    // Before its first read of a pack (the root tree's): it has listed the packs and loaded the index by then.
    PauseAt pause = PauseAt.before(FaultInjectingBlobStore.Operation.GET, "data/", "");
    try (Repository restorer = Repository.open(options, new EngineHooks(clock, true, pause.wrap(shared), false));
        Repository pruner = Repository.open(options, hooks)) {
      Path target = temp.resolve("target");
      CompletableFuture<RestoreResult> restore = PauseAt.inBackground(() -> restorer.restore(second.id(), target));
      pause.awaitPaused("the restore reads its first tree");
      pruner.forget(List.of(first.id()), false);
      assertTrue(pruner.prune(NOW).packsRepacked() > 0, "the first pack is half garbage and is repacked");
      clock.advance(Duration.ofMinutes(1));
      assertTrue(pruner.prune(NOW).packsDeleted() > 0, "the original packs are deleted");
      pause.resume();
      RestoreResult result = restore.get();
      assertTrue(result.isComplete(), result.errors().toString());
      assertSameTree(source, restored(target, source));
    }
  }
}
