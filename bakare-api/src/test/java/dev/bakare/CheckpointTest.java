package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.backup.FileOpener;
import dev.bakare.internal.repo.EngineHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backup that dies part way leaves its checkpointed packs indexed; the rerun does not upload them again. */
class CheckpointTest {
  @TempDir Path temp;

  @Test
  void aRerunAfterACrashStoresOnlyWhatCameAfterTheLastCheckpoint() throws IOException {
    TestRepo repo = new TestRepo(temp);
    Path source = randomFiles(20, 1 << 20, 12);
    // Sequential mode: files in name order, a checkpoint check after each, so the crash point is exact.
    EngineHooks hooks = new EngineHooks(Clock.systemUTC(), true, null, false);
    RepositoryOptions options = repo.options().packSize(1 << 20).build();
    try (Repository r = Repository.init(options, hooks)) {
      BackupRequest request = BackupRequest.builder().path(source).checkpointBytes(1).build();
      AtomicInteger opened = new AtomicInteger();
      FileOpener crashing = path -> {
        if (opened.incrementAndGet() == 15) {
          throw new IllegalStateException("simulated crash (kill -9) while reading " + path);
        }
        return FileOpener.DEFAULT.open(path);
      };
      assertThrows(IllegalStateException.class, () -> r.backup(request, crashing));
      assertTrue(r.snapshots().isEmpty(), "the crashed backup committed nothing");
      long indexed = DamageTest.blobsUnder(repo.location.resolve("index")).size();
      assertTrue(indexed >= 10, "checkpoints wrote index segments as the backup went: " + indexed);

      Snapshot rerun = r.backup(request);
      long stored = rerun.stats().newBytes();
      assertTrue(stored <= 7L << 20, "the rerun stored " + stored + " bytes; at most the files after the last"
          + " checkpoint (6 MiB) and the pack that was filling should be new");
      assertEquals(20 << 20, rerun.stats().totalBytes());
      CheckResult check = r.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());
    }
  }

  /**
   * Many small chunks reach a checkpoint by their number long before their bytes would: the chunks waiting
   * for their index in memory stay bounded in a backup of millions of small files.
   */
  @Test
  void manySmallChunksAreCheckpointedByTheirNumber() throws IOException {
    TestRepo repo = new TestRepo(temp);
    Path source = randomFiles(600, 1000, 13);
    EngineHooks hooks = new EngineHooks(Clock.systemUTC(), true, null, false);
    RepositoryOptions options = repo.options().packSize(64 << 10).build();
    try (Repository r = Repository.init(options, hooks)) {
      BackupRequest request = BackupRequest.builder().path(source).checkpointInterval(java.time.Duration.ofDays(1))
          .checkpointChunks(100).build();
      Snapshot snapshot = r.backup(request);
      assertEquals(600, snapshot.stats().files());
      long segments = DamageTest.blobsUnder(repo.location.resolve("index")).size();
      assertTrue(segments >= 5, "600 chunks in checkpoints of 100 wrote " + segments + " index segments");
      CheckResult check = r.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());
    }
  }

  /** A source directory of {@code count} files of {@code size} random bytes, named in the order written. */
  private Path randomFiles(int count, int size, long seed) throws IOException {
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      Files.write(source.resolve(String.format("f%03d", i)), BackupRestoreTest.randomBytes(random, size));
    }
    return source;
  }
}
