package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.backup.FileOpener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A re-backup reads only files whose metadata changed since the parent snapshot. */
class ChangeDetectionTest {
  @TempDir Path temp;
  TestRepo repo;
  Path source;
  final Set<Path> opened = ConcurrentHashMap.newKeySet();
  final FileOpener counting = path -> {
    opened.add(path);
    return FileOpener.DEFAULT.open(path);
  };

  @BeforeEach
  void setUp() throws IOException {
    repo = new TestRepo(temp);
    source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(4);
    for (int i = 0; i < 20; i++) {
      Path dir = Files.createDirectories(source.resolve("d" + (i % 4)));
      Files.write(dir.resolve("f" + i), BackupRestoreTest.randomBytes(random, 10_000 + i));
    }
  }

  @Test
  void anUnchangedTreeIsNotReadAgainAndUploadsOnlyTheSnapshot() throws IOException {
    try (Repository r = repo.init()) {
      Snapshot first = r.backup(BackupRequest.of(source), counting);
      assertEquals(20, opened.size());
      opened.clear();
      long before = repo.size();
      Snapshot second = r.backup(BackupRequest.of(source), counting);
      assertEquals(Set.of(), opened, "no file was read");
      assertEquals(20, second.stats().unchangedFiles());
      assertEquals(20, second.stats().files());
      assertEquals(first.stats().totalBytes(), second.stats().totalBytes());
      assertEquals(first.id(), second.parent());
      assertEquals(0, second.stats().newBytes());
      long added = repo.size() - before;
      assertTrue(added < 2048, "a no-change backup added " + added + " bytes (only its snapshot)");
      Path target = temp.resolve("target");
      assertTrue(r.restore(second.id(), target).isComplete());
      assertSameTree(source, restored(target, source));
    }
  }

  @Test
  void changedFilesAreReadAgainAndOnlyThey() throws IOException {
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source), counting);
      opened.clear();
      Path edited = source.resolve("d1/f5");
      byte[] content = Files.readAllBytes(edited);
      content[100] ^= 1;
      Files.write(edited, content);
      Path touched = source.resolve("d2/f6");
      Files.setLastModifiedTime(touched, FileTime.fromMillis(Files.getLastModifiedTime(touched).toMillis() + 5000));
      Path added = Files.writeString(source.resolve("d3/new"), "new file");
      Snapshot second = r.backup(BackupRequest.of(source), counting);
      assertEquals(Set.of(edited, touched, added), opened);
      assertEquals(18, second.stats().unchangedFiles());
      Path target = temp.resolve("target");
      assertTrue(r.restore(second.id(), target).isComplete());
      assertSameTree(source, restored(target, source));
    }
  }

  /**
   * An entry listed but gone by the time it is looked at is left out of its directory's new tree, and the
   * unchanged entries after it are still the parent's nodes of their own names (in a directory that has
   * a change, the new tree takes them from the parent's by position).
   */
  @Test
  void anEntryGoneBeforeItsStatLeavesTheOthersOfItsDirectoryAsTheyWere() throws IOException {
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source), counting);
      Path d1 = source.resolve("d1");
      Path edited = d1.resolve("f1");
      Files.writeString(edited, "changed");
      Path vanished = d1.resolve("f10-gone");
      FileOpener listingAGhost = new FileOpener() {
        @Override
        public java.nio.channels.FileChannel open(Path path) throws IOException {
          return counting.open(path);
        }

        @Override
        public java.nio.file.DirectoryStream<Path> list(Path directory) throws IOException {
          java.nio.file.DirectoryStream<Path> real = FileOpener.super.list(directory);
          if (!directory.equals(d1)) {
            return real;
          }
          List<Path> entries = new java.util.ArrayList<>();
          real.forEach(entries::add);
          real.close();
          entries.add(vanished);
          return new java.nio.file.DirectoryStream<>() {
            @Override
            public java.util.Iterator<Path> iterator() {
              return entries.iterator();
            }

            @Override
            public void close() {}
          };
        }
      };
      opened.clear();
      Snapshot second = r.backup(BackupRequest.of(source), listingAGhost);
      assertEquals(Set.of(edited), opened);
      assertEquals(List.of(vanished.toString()), second.errors().stream().map(FileError::path).toList());
      Path target = temp.resolve("target");
      assertTrue(r.restore(second.id(), target).isComplete());
      assertSameTree(source, restored(target, source));
    }
  }

  @Test
  void changeDetectionOffReadsEverythingAndAnotherPathSetHasNoParent() throws IOException {
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source), counting);
      opened.clear();
      r.backup(BackupRequest.builder().path(source).changeDetection(ChangeDetection.OFF).build(), counting);
      assertEquals(20, opened.size());
      opened.clear();
      Snapshot other = r.backup(BackupRequest.of(source.resolve("d1")), counting);
      assertEquals(null, other.parent());
      assertEquals(5, opened.size());
    }
  }

  @Test
  void contentAPruneMarkedIsReadAgainRatherThanReused() throws IOException {
    try (Repository r = repo.init()) {
      Snapshot first = r.backup(BackupRequest.of(source), counting);
      Snapshot kept = r.backup(BackupRequest.of(source.resolve("d0")), counting);
      r.forget(List.of(first.id()), false);
      r.prune(PruneRequest.builder().grace(java.time.Duration.ZERO).build());
      opened.clear();
      // The parent (the forgotten snapshot is gone) is now the d0-only snapshot's path set: no match, so
      // everything is read; the marked packs are not reused either way.
      Snapshot again = r.backup(BackupRequest.of(source), counting);
      assertEquals(20, opened.size());
      assertTrue(again.stats().newBytes() > 0, "data only the marked packs held is stored again");
      assertTrue(kept.stats().files() == 5);
      CheckResult check = r.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());
    }
  }
}
