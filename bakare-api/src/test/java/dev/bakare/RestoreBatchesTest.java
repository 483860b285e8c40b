package dev.bakare;

import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.content.ChunkLocation;
import dev.bakare.internal.restore.RestoreJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore plans files in batches and restores one batch while the walk collects the next. Across batch
 * boundaries nothing may be lost: chunks shared by files in different batches, hard links whose partner is
 * batches away, empty files, and a damaged pack failing exactly the files that need it, whichever batch
 * they are in. Batches of three files make a small tree cross dozens of them.
 */
class RestoreBatchesTest {
  private static final RestoreJob.BatchLimits TINY = new RestoreJob.BatchLimits(3, 4);

  @TempDir Path temp;

  @Test
  void aTreeRestoredInDozensOfBatchesIsIdentical() throws IOException {
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(31);
    byte[] shared = BackupRestoreTest.randomBytes(random, 3000);
    for (int d = 0; d < 4; d++) {
      Path dir = Files.createDirectories(source.resolve("dir" + d));
      for (int f = 0; f < 20; f++) {
        Path file = dir.resolve("file" + f);
        switch (f % 4) {
          case 0 -> Files.write(file, shared);
          case 1 -> Files.write(file, new byte[0]);
          default -> Files.write(file, BackupRestoreTest.randomBytes(random, 100 + random.nextInt(5000)));
        }
      }
    }
    Files.write(source.resolve("dir0/multi-chunk.bin"), BackupRestoreTest.randomBytes(random, 3 << 20));
    // The walk meets the link's leader in the first directory and the link itself in the last one.
    Files.createLink(source.resolve("dir3/link-to-dir0-file2"), source.resolve("dir0/file2"));
    Files.createSymbolicLink(source.resolve("dir2/symlink"), Path.of("../dir1/file3"));

    TestRepo repo = new TestRepo(temp);
    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.of(source));
      Path target = temp.resolve("target");
      long openBefore = openDescriptors();
      RestoreResult result = new RestoreJob(r.engine(), RestoreRequest.of(snapshot.id(), target), TINY).run();
      assertEquals(openBefore, openDescriptors(), "every restored file is closed");
      assertTrue(result.isComplete(), () -> "errors: " + result.errors());
      assertEquals(82, result.files(), "80 files, the multi-chunk file and the hard link");
      TreeAssertions.assertSameTree(source, restored(target, source));
    }
  }

  @Test
  void damagedChunksFailExactlyTheFilesThatNeedThemInWhicheverBatchTheyAre() throws IOException {
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(32);
    List<Path> files = new ArrayList<>();
    for (int f = 0; f < 40; f++) {
      Path file = source.resolve(String.format("file%02d", f));
      // file30 holds file05's bytes: one chunk, needed in two batches far apart.
      Files.write(file, f == 30 ? Files.readAllBytes(files.get(5)) : BackupRestoreTest.randomBytes(random, 20_000));
      files.add(file);
    }
    Set<String> expectedFailures = new TreeSet<>();
    for (int f : new int[] {5, 17, 30, 38}) {
      expectedFailures.add(files.get(f).toString());
    }
    TestRepo repo = new TestRepo(temp);
    try (Repository r = Repository.init(repo.options().packSize(64 << 10).build())) {
      Snapshot snapshot = r.backup(BackupRequest.of(source));
      for (int f : new int[] {5, 17, 38}) {
        ChunkLocation location =
            r.engine().index().find(r.engine().hasher().hash(Files.readAllBytes(files.get(f)))).orElseThrow();
        String pack = location.pack().id().hex();
        DamageTest.flip(repo.location.resolve("data").resolve(pack.substring(0, 2)).resolve(pack),
            location.offset() + location.storedLength() / 2);
      }

      Path target = temp.resolve("target");
      long openBefore = openDescriptors();
      RestoreResult result = new RestoreJob(r.engine(), RestoreRequest.of(snapshot.id(), target), TINY).run();
      assertEquals(openBefore, openDescriptors(), "every file is closed, failed ones too");
      Set<String> failed = new TreeSet<>();
      result.errors().forEach(error -> failed.add(error.path()));
      assertEquals(expectedFailures, failed, () -> "errors: " + result.errors());
      assertEquals(files.size() - expectedFailures.size(), result.files());
      for (Path file : files) {
        Path copy = restored(target, file);
        if (expectedFailures.contains(file.toString())) {
          assertFalse(Files.exists(copy), "no half-restored file is left: " + copy);
        } else {
          assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy), file.toString());
        }
      }
    }
  }

  /** Files the test JVM has open: restored files are written on bare descriptors, which no cleaner closes. */
  private static long openDescriptors() throws IOException {
    try (var descriptors = Files.list(Path.of("/proc/self/fd"))) {
      return descriptors.count();
    }
  }
}
