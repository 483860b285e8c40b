package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunks of a file of 64 MiB or more are compressed and sealed by helper threads while the worker
 * reading it goes on (when a core has no file of its own): its snapshot must hold its chunks in order and
 * each chunk once, and a storage failure on a helper must fail the backup.
 */
class LargeFileBackupTest {
  @TempDir Path temp;

  @Test
  void aLargeFileStoredOnSeveralThreadsRestoresIdenticallyAndStoresRepeatsOnce() throws IOException {
    Path source = Files.createDirectories(temp.resolve("source"));
    Path large = source.resolve("large.img");
    Random random = new Random(21);
    byte[] repeated = BackupRestoreTest.randomBytes(random, 8 << 20);
    try (OutputStream out = Files.newOutputStream(large)) {
      for (int i = 0; i < 7; i++) {
        out.write(BackupRestoreTest.randomBytes(random, 2 << 20));
        // The same 8 MiB again and again: its chunks are in flight on several threads at once.
        out.write(repeated);
      }
    }
    TestRepo repo = new TestRepo(temp);
    try (Repository r = Repository.init(repo.options().threads(4).build())) {
      Set<String> helpers = ConcurrentHashMap.newKeySet();
      // The last report comes before the pass ends its pools: helper threads are alive then if any ran.
      Snapshot snapshot = r.backup(BackupRequest.builder().path(source)
          .listener(new ProgressListener() {
            @Override
            public void onProgress(Progress progress) {
              helpers.addAll(storeThreads());
            }
          }).build());
      assertFalse(helpers.isEmpty(), "helper threads stored chunks");
      assertFalse(snapshot.isPartial(), () -> "errors: " + snapshot.errors());
      Set<ObjectId> distinct = new HashSet<>();
      r.engine().index().forEach((id, location) -> distinct.add(id));
      assertTrue(distinct.size() > 20, "the file's chunks and trees are indexed: " + distinct.size());
      assertEquals(distinct.size(), r.engine().index().chunkCount(), "no chunk is stored twice");
      assertTrue(snapshot.stats().newBytes() < Files.size(large) - (16 << 20),
          "the repeats are stored once: " + snapshot.stats().newBytes() + " of " + Files.size(large) + " bytes");
      Path target = temp.resolve("target");
      assertTrue(r.restore(snapshot.id(), target).isComplete());
      assertArrayEquals(Files.readAllBytes(large), Files.readAllBytes(TreeAssertions.restored(target, large)));
      assertTrue(r.check(CheckRequest.readAllData()).isClean());
    }
  }

  @Test
  void aStorageFailureWhileHelpersStoreChunksFailsTheBackupAndEndsTheHelpers() throws IOException,
      InterruptedException {
    Path source = Files.createDirectories(temp.resolve("source"));
    Files.write(source.resolve("large.img"), BackupRestoreTest.randomBytes(new Random(22), 72 << 20));
    MemoryBlobStore shared = new MemoryBlobStore();
    // Small packs: the first upload, and so the failure, comes while the file is still being read.
    RepositoryOptions options = new TestRepo(temp).options().packSize(1 << 16).threads(4).build();
    Repository.init(options, new EngineHooks(Clock.systemUTC(), false, shared, false)).close();
    FaultInjectingBlobStore failing = new FaultInjectingBlobStore(shared, FaultInjectingBlobStore.Config.builder(1)
        .failPermanentlyUnder("data/", FaultInjectingBlobStore.Operation.PUT).build());
    try (Repository r = Repository.open(options, new EngineHooks(Clock.systemUTC(), false, failing, false))) {
      assertThrows(IOException.class, () -> r.backup(BackupRequest.of(source)));
      assertTrue(r.snapshots().isEmpty(), "nothing was committed");
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!storeThreads().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(Set.of(), storeThreads(), "no helper thread outlives the failed backup");
  }

  private static Set<String> storeThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(name -> name.startsWith("bakare-store")).collect(Collectors.toSet());
  }
}
