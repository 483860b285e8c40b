package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRestoreTest {
  @TempDir Path temp;
  TestRepo repo;
  Path source;

  @BeforeEach
  void setUp() throws IOException {
    repo = new TestRepo(temp);
    source = Files.createDirectories(temp.resolve("source"));
  }

  @Test
  void restoresEveryKindOfEntryWithItsMetadata() throws IOException {
    Random random = new Random(1);
    Files.write(source.resolve("plain.txt"), "hello, world\n".getBytes(StandardCharsets.UTF_8));
    Files.write(source.resolve("empty"), new byte[0]);
    Files.write(source.resolve("large.bin"), randomBytes(random, 9 << 20));
    Path deep = Files.createDirectories(source.resolve("a/b/c/d/e"));
    Files.write(deep.resolve("deep file with spaces ü.txt"), randomBytes(random, 1000));
    Files.createDirectories(source.resolve("empty dir"));
    Files.createSymbolicLink(source.resolve("link-to-plain"), Path.of("plain.txt"));
    Files.createSymbolicLink(source.resolve("dangling"), Path.of("/nonexistent/target"));
    Files.createLink(source.resolve("a/hardlink"), source.resolve("plain.txt"));
    Path script = Files.write(source.resolve("script.sh"), "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
    Files.setAttribute(script, "unix:mode", 0750);
    Files.setAttribute(source.resolve("a/b"), "unix:mode", 0700);
    Files.setLastModifiedTime(source.resolve("plain.txt"), FileTime.from(Instant.parse("2001-02-03T04:05:06.123456789Z")));

    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.of(source));
      assertFalse(snapshot.isPartial(), () -> "errors: " + snapshot.errors());
      assertEquals(List.of(source.toString()), snapshot.paths());
      assertEquals(6, snapshot.stats().files(), "plain, empty, large, deep file, script, and the hard link again");
      Path target = temp.resolve("target");
      RestoreResult result = r.restore(snapshot.id(), target);
      assertTrue(result.isComplete(), () -> "errors: " + result.errors());
      assertSameTree(source, restored(target, source));
    }
  }

  @Test
  void restoresSparseFilesSparse() throws IOException, InterruptedException {
    Path sparse = source.resolve("sparse.img");
    try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
      file.setLength(64L << 20);
      file.seek(10L << 20);
      file.write("data in the middle".getBytes(StandardCharsets.UTF_8));
    }
    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.of(source));
      Path target = temp.resolve("target");
      assertTrue(r.restore(snapshot.id(), target).isComplete());
      Path copy = restored(target, sparse);
      assertArrayEquals(Files.readAllBytes(sparse), Files.readAllBytes(copy));
      long allocated = allocatedBytes(copy);
      assertTrue(allocated < (1 << 20), "restored 64 MiB sparse file allocates " + allocated + " bytes");
    }
  }

  @Test
  void restoresChosenPathsOnly() throws IOException {
    Files.createDirectories(source.resolve("keep/inner"));
    Files.writeString(source.resolve("keep/inner/a.txt"), "a");
    Files.writeString(source.resolve("keep/b.txt"), "b");
    Files.createDirectories(source.resolve("skip"));
    Files.writeString(source.resolve("skip/c.txt"), "c");
    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.of(source));
      Path target = temp.resolve("target");
      RestoreResult result = r.restore(RestoreRequest.builder(snapshot.id(), target)
          .include(source.resolve("keep/inner").toString()).build());
      assertTrue(result.isComplete(), () -> "errors: " + result.errors());
      assertEquals("a", Files.readString(restored(target, source.resolve("keep/inner/a.txt"))));
      assertFalse(Files.exists(restored(target, source.resolve("keep/b.txt"))));
      assertFalse(Files.exists(restored(target, source.resolve("skip"))));
    }
  }

  @Test
  void neverOverwritesUnlessAsked() throws IOException {
    Files.writeString(source.resolve("f.txt"), "from the backup");
    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.of(source));
      Path target = temp.resolve("target");
      Path file = restored(target, source.resolve("f.txt"));
      Files.createDirectories(file.getParent());
      Files.writeString(file, "precious local edit");
      Files.writeString(file.resolveSibling("other.txt"), "unrelated");

      RepositoryException refused = assertThrows(RepositoryException.class, () -> r.restore(snapshot.id(), target));
      assertTrue(refused.getMessage().contains("would overwrite 1 existing entry"), refused.getMessage());
      assertEquals("precious local edit", Files.readString(file), "nothing is written when the restore refuses");

      RestoreResult ifChanged = r.restore(RestoreRequest.builder(snapshot.id(), target).overwrite(Overwrite.IF_CHANGED).build());
      assertTrue(ifChanged.isComplete(), () -> "errors: " + ifChanged.errors());
      assertEquals("from the backup", Files.readString(file));
      assertEquals("unrelated", Files.readString(file.resolveSibling("other.txt")), "files not in the snapshot stay");

      Files.writeString(file, "edited again");
      RestoreResult always = r.restore(RestoreRequest.builder(snapshot.id(), target).overwrite(Overwrite.ALWAYS).build());
      assertTrue(always.isComplete(), () -> "errors: " + always.errors());
      assertEquals("from the backup", Files.readString(file));
    }
  }

  @Test
  void backsUpSeveralPathsAndListsThem() throws IOException {
    Path other = Files.createDirectories(temp.resolve("other"));
    Files.writeString(source.resolve("x.txt"), "x");
    Files.writeString(other.resolve("y.txt"), "y");
    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.builder().path(source).path(other).tag("nightly").build());
      assertEquals(List.of("nightly"), snapshot.tags());
      List<String> listed = new ArrayList<>();
      r.list(snapshot.id(), "/", entry -> listed.add(entry.path()));
      assertTrue(listed.contains(source.resolve("x.txt").toString()), listed.toString());
      assertTrue(listed.contains(other.resolve("y.txt").toString()), listed.toString());
      List<String> underOther = new ArrayList<>();
      r.list(snapshot.id(), other.toString(), entry -> underOther.add(entry.path()));
      assertEquals(List.of(other.toString(), other.resolve("y.txt").toString()), underOther);
    }
    try (Repository r = repo.open()) {
      assertEquals(1, r.snapshots().size());
      assertEquals(r.snapshots().get(0).id(), r.snapshot("latest").id());
      assertEquals(r.snapshots().get(0).id(), r.snapshot(r.snapshots().get(0).id().shortId()).id());
    }
  }

  @Test
  void excludesMatchNamesAndPaths() throws IOException {
    Files.writeString(source.resolve("keep.txt"), "k");
    Files.writeString(source.resolve("drop.tmp"), "d");
    Files.createDirectories(source.resolve("cache"));
    Files.writeString(source.resolve("cache/big"), "c");
    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.builder().path(source).exclude("*.tmp")
          .exclude(source.resolve("cache").toString()).build());
      List<String> listed = new ArrayList<>();
      r.list(snapshot.id(), source.toString(), entry -> listed.add(entry.path()));
      assertEquals(List.of(source.toString(), source.resolve("keep.txt").toString()), listed);
    }
  }

  @Test
  void refusesMissingAndNestedPaths() throws IOException {
    try (Repository r = repo.init()) {
      RepositoryException missing = assertThrows(RepositoryException.class,
          () -> r.backup(BackupRequest.of(temp.resolve("nope"))));
      assertTrue(missing.getMessage().contains("no such file or directory"), missing.getMessage());
      Files.createDirectories(source.resolve("sub"));
      RepositoryException nested = assertThrows(RepositoryException.class,
          () -> r.backup(BackupRequest.of(source, source.resolve("sub"))));
      assertTrue(nested.getMessage().contains("which contains it"), nested.getMessage());
      assertTrue(r.snapshots().isEmpty());
    }
  }

  static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  static long allocatedBytes(Path file) throws IOException, InterruptedException {
    Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
    String[] out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split(" ");
    assertEquals(0, stat.waitFor(), "stat failed: " + String.join(" ", out));
    return Long.parseLong(out[0]) * Long.parseLong(out[1]);
  }

  static boolean exists(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
  }
}
