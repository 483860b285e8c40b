package dev.bakare;

import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bakare.internal.backup.FileOpener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A file written to between its {@code lstat} and its read is stored as it was read, whole, with a warning
 * in the snapshot. Sizes on both sides of the 128 KiB below which the walk thread reads a file itself,
 * including one that grows across it.
 */
class FileChangedWhileReadTest {
  private static final int GROWTH = 5_000;

  @TempDir Path temp;

  @ParameterizedTest
  @ValueSource(ints = {0, 100, (128 << 10) - 1, (128 << 10) - GROWTH / 2, 1 << 20})
  void aFileThatGrowsAfterItsStatIsStoredAsReadWithAWarning(int size) throws IOException {
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(size);
    Path growing = source.resolve("growing.log");
    Files.write(growing, BackupRestoreTest.randomBytes(random, size));
    Path steady = source.resolve("steady.bin");
    Files.write(steady, BackupRestoreTest.randomBytes(random, size));
    byte[] appended = BackupRestoreTest.randomBytes(random, GROWTH);
    Set<Path> grown = ConcurrentHashMap.newKeySet();
    // Appends once, when the backup first opens the file: after its lstat, before its read.
    FileOpener appending = path -> {
      if (path.equals(growing) && grown.add(path)) {
        Files.write(path, appended, StandardOpenOption.APPEND);
      }
      return FileOpener.DEFAULT.open(path);
    };
    try (Repository r = new TestRepo(temp).init()) {
      Snapshot snapshot = r.backup(BackupRequest.of(source), appending);

      assertEquals(List.of(growing.toString()), snapshot.errors().stream().map(FileError::path).toList());
      assertEquals("changed while it was read; the snapshot holds what was read", snapshot.errors().get(0).reason());
      Path target = temp.resolve("target");
      r.restore(snapshot.id(), target);
      Path restored = restored(target, source);
      assertArrayEquals(Files.readAllBytes(growing), Files.readAllBytes(restored.resolve("growing.log")));
      assertArrayEquals(Files.readAllBytes(steady), Files.readAllBytes(restored.resolve("steady.bin")));
      assertEquals(2, snapshot.stats().files());
      assertEquals(2L * size + GROWTH, snapshot.stats().totalBytes());
    }
  }
}
