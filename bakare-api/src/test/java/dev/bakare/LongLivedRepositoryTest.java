package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
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
}
