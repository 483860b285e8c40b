package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.backup.FileOpener;
import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashSet;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup walks directories on a pool of threads; the snapshot must not depend on which thread walked
 * what, or in which order directories finished: the same tree as the single-threaded walk of sequential
 * mode, to the byte (same root tree id), with the same errors.
 */
class ParallelWalkTest {
  @TempDir Path temp;

  /**
   * Four levels (6 x 6 x 5 directories, 15 files each: about 3,000 entries), empty directories, symlinks,
   * excluded files (below a5), files the opener refuses (as the kernel would for a file without read permission), and,
   * when the tests do not run as root (for whom permissions deny nothing), a directory with mode 000.
   */
  private Path makeTree() throws IOException {
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(7);
    for (int a = 0; a < 6; a++) {
      for (int b = 0; b < 6; b++) {
        for (int c = 0; c < 5; c++) {
          Path dir = Files.createDirectories(source.resolve("a" + a).resolve("b" + b).resolve("c" + c));
          for (int f = 0; f < 15; f++) {
            byte[] content = new byte[random.nextInt(2000)];
            random.nextBytes(content);
            Files.write(dir.resolve("file" + f + ".txt"), content);
          }
          if (a == 5) {
            Files.writeString(dir.resolve("scratch.tmp"), "excluded");
          }
        }
        Files.createDirectories(source.resolve("a" + a).resolve("b" + b).resolve("empty"));
        Files.createSymbolicLink(source.resolve("a" + a).resolve("b" + b).resolve("link"), Path.of("c0/file1.txt"));
      }
      Files.createSymbolicLink(source.resolve("a" + a).resolve("dangling"), Path.of("nowhere"));
    }
    return source;
  }

  /** Refuses the ten files named file7.txt below a2/b3 and a4/b0. */
  private static final FileOpener REFUSING = path -> {
    if (path.getFileName().toString().equals("file7.txt")
        && (path.toString().contains("/a2/b3/") || path.toString().contains("/a4/b0/"))) {
      throw new AccessDeniedException(path.toString());
    }
    return FileOpener.DEFAULT.open(path);
  };

  @Test
  void theParallelWalkStoresTheSameTreeAsTheSequentialOne() throws IOException {
    Path source = makeTree();
    Path locked = source.resolve("a3/b1/c2");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    // Root reads through mode 000; then there is no unreadable directory, and both walks still must agree.
    boolean lockedOut = !Files.isReadable(locked);
    TestRepo repo = new TestRepo(temp);
    RepositoryOptions options = repo.options().threads(2).build();
    BackupRequest full = BackupRequest.builder().path(source).exclude("*.tmp")
        .changeDetection(ChangeDetection.OFF).build();
    try {
      Snapshot sequential;
      ObjectId sequentialRoot;
      Set<String> sequentialThreads = ConcurrentHashMap.newKeySet();
      try (Repository r = Repository.init(options, new EngineHooks(Clock.systemUTC(), true, null, false))) {
        sequential = r.backup(full, watching(sequentialThreads));
        sequentialRoot = rootOf(r, sequential);
      }
      assertEquals(Set.of(), sequentialThreads, "sequential mode walks on the calling thread");

      try (Repository r = Repository.open(options)) {
        Set<String> walkThreads = ConcurrentHashMap.newKeySet();
        Snapshot parallel = r.backup(full, watching(walkThreads));
        assertFalse(walkThreads.isEmpty(), "the backup walked on its walk pool");
        assertEquals(sequentialRoot, rootOf(r, parallel), "the same root tree, to the byte");
        assertEquals(sequential.stats().files(), parallel.stats().files());
        assertEquals(sequential.stats().directories(), parallel.stats().directories());
        assertEquals(sequential.stats().totalBytes(), parallel.stats().totalBytes());
        assertEquals(new HashSet<>(sequential.errors()), new HashSet<>(parallel.errors()));
        assertEquals(10 + (lockedOut ? 1 : 0), parallel.errors().size(), parallel.errors().toString());
        assertEquals(6 * 6 * 5 * 15 - 10 - (lockedOut ? 15 : 0), parallel.stats().files());
        if (lockedOut) {
          assertTrue(parallel.errors().contains(new FileError(locked.toString(), "permission denied")),
              parallel.errors().toString());
        }

        // With the parent: nothing is read again, and the tree is still the same.
        Snapshot again = r.backup(BackupRequest.builder().path(source).exclude("*.tmp").build(), REFUSING);
        assertEquals(sequentialRoot, rootOf(r, again));
        assertEquals(parallel.stats().files(), again.stats().unchangedFiles());
        assertEquals(new HashSet<>(sequential.errors()), new HashSet<>(again.errors()));

        Path target = temp.resolve("target");
        r.restore(again.id(), target);
        Path expected = source.resolve("a0");
        assertSameTree(expected, restored(target, expected));
      }
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void aStorageFailureDuringTheParallelWalkFailsTheBackupAndEndsTheWalk() throws IOException, InterruptedException {
    Path source = makeTree();
    MemoryBlobStore shared = new MemoryBlobStore();
    // Small packs: the first upload, and so the failure, comes while the walk is still going.
    RepositoryOptions options = new TestRepo(temp).options().packSize(1 << 16).build();
    Repository.init(options, new EngineHooks(Clock.systemUTC(), false, shared, false)).close();
    FaultInjectingBlobStore failing = new FaultInjectingBlobStore(shared, FaultInjectingBlobStore.Config.builder(1)
        .failPermanentlyUnder("data/", FaultInjectingBlobStore.Operation.PUT).build());
    try (Repository r = Repository.open(options, new EngineHooks(Clock.systemUTC(), false, failing, false))) {
      AtomicInteger opened = new AtomicInteger();
      FileOpener counting = path -> {
        opened.incrementAndGet();
        return REFUSING.open(path);
      };
      assertThrows(IOException.class, () -> r.backup(BackupRequest.of(source), counting));
      assertTrue(r.snapshots().isEmpty(), "nothing was committed");
      // The walk stays a few files ahead of the workers, and stops when the upload fails.
      assertTrue(opened.get() < 2000, "files opened after the first upload failed: " + opened.get());
    }
    // The pool is shut down and awaited before the backup returns; a thread may take a moment to exit.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!walkThreads().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(Set.of(), walkThreads(), "no walk thread outlives the failed backup");
  }

  private static Set<String> walkThreads() {
    Set<String> names = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("bakare-walk")) {
        names.add(t.getName());
      }
    }
    return names;
  }

  /** {@link #REFUSING}, noting the walk threads alive while the first files are read. */
  private static FileOpener watching(Set<String> walkThreads) {
    AtomicInteger opened = new AtomicInteger();
    return path -> {
      if (opened.incrementAndGet() <= 100) {
        walkThreads.addAll(walkThreads());
      }
      return REFUSING.open(path);
    };
  }

  private static ObjectId rootOf(Repository r, Snapshot snapshot) throws IOException {
    return Objects.requireNonNull(r.engine().readSnapshot(ObjectId.fromHex(snapshot.id().hex())).detail()).rootTree();
  }
}
