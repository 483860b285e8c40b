package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identical data is stored once, across files, directories and snapshots; small edits store little. */
class DedupTest {
  @TempDir Path temp;
  TestRepo repo;
  Path source;
  Random random = new Random(2026);

  @BeforeEach
  void setUp() throws IOException {
    repo = new TestRepo(temp);
    source = Files.createDirectories(temp.resolve("source"));
  }

  @Test
  void unchangedTreeAddsLessThanHalfAPercent() throws IOException {
    for (int i = 0; i < 40; i++) {
      Path dir = Files.createDirectories(source.resolve("dir" + (i % 5)));
      Files.write(dir.resolve("file" + i), BackupRestoreTest.randomBytes(random, random.nextInt(2 << 20)));
    }
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source));
      long before = repo.size();
      r.backup(BackupRequest.of(source));
      long added = repo.size() - before;
      assertTrue(added < before * 0.005, "second backup of an unchanged tree added " + added + " of " + before + " bytes");
    }
  }

  @Test
  void duplicateFileAddsAlmostNothing() throws IOException {
    byte[] content = BackupRestoreTest.randomBytes(random, 50 << 20);
    Files.write(source.resolve("original.bin"), content);
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source));
      long before = repo.size();
      Path elsewhere = Files.createDirectories(source.resolve("some/other/place"));
      Files.write(elsewhere.resolve("copy.bin"), content);
      r.backup(BackupRequest.of(source));
      long added = repo.size() - before;
      assertTrue(added < 64 * 1024, "a duplicate 50 MiB file added " + added + " bytes");
    }
  }

  @Test
  void insertingAtTheStartOfALargeFileStoresOnlyTheChange() throws IOException {
    byte[] content = BackupRestoreTest.randomBytes(random, 64 << 20);
    Path file = Files.write(source.resolve("big.bin"), content);
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source));
      long before = repo.size();
      byte[] edited = new byte[content.length + 100];
      System.arraycopy(BackupRestoreTest.randomBytes(random, 100), 0, edited, 0, 100);
      System.arraycopy(content, 0, edited, 100, content.length);
      Files.write(file, edited);
      r.backup(BackupRequest.of(source));
      long added = repo.size() - before;
      assertTrue(added < 6 << 20, "inserting 100 bytes at the start of 64 MiB added " + added + " bytes");
    }
  }
}
