package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.protocol.WriterSession;
import dev.bakare.internal.repo.EngineHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruneTest {
  private static final PruneRequest NOW = PruneRequest.builder().grace(Duration.ZERO).build();

  @TempDir Path temp;
  TestRepo repo;
  Path source;
  Random random = new Random(99);

  @BeforeEach
  void setUp() throws IOException {
    repo = new TestRepo(temp);
    source = Files.createDirectories(temp.resolve("source"));
  }

  @Test
  void pruneReturnsAtLeastNinetyPercentOfThirtyPercentGarbage() throws IOException {
    for (int i = 0; i < 10; i++) {
      Files.write(source.resolve("file" + i), BackupRestoreTest.randomBytes(random, 3 << 20));
    }
    try (Repository r = repo.init()) {
      Snapshot first = r.backup(BackupRequest.of(source));
      for (int i = 0; i < 3; i++) {
        Files.delete(source.resolve("file" + (i * 3)));
      }
      Snapshot second = r.backup(BackupRequest.of(source));
      r.forget(List.of(first.id()), false);
      long before = repo.size();
      long live = liveSize();
      long garbage = before - live;
      assertTrue(garbage > before * 0.25, "the test needs about 30% garbage: " + garbage + " of " + before);

      PruneResult mark = r.prune(NOW);
      assertEquals(0, mark.packsDeleted(), "the first prune only marks");
      assertTrue(mark.packsMarked() > 0);
      PruneResult sweep = r.prune(NOW);
      assertTrue(sweep.packsDeleted() > 0);
      long reclaimed = before - repo.size();

      assertTrue(reclaimed >= 0.9 * garbage, "reclaimed " + reclaimed + " of " + garbage + " garbage bytes");

      Path target = temp.resolve("target");
      RestoreResult result = r.restore(second.id(), target);
      assertTrue(result.isComplete(), result.errors().toString());
      assertSameTree(source, restored(target, source));
    }
    try (Repository r = repo.open()) {
      CheckResult check = r.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());
    }
  }

  /**
   * A backup of many small files checkpoints into many small index segments; a prune that rewrites the
   * index merges them, and every snapshot still restores and checks clean, on a fresh machine too.
   */
  @Test
  void aSweepMergesSmallIndexSegments() throws IOException {
    for (int i = 0; i < 300; i++) {
      Files.write(source.resolve(String.format("f%03d", i)), BackupRestoreTest.randomBytes(random, 1000));
    }
    RepositoryOptions options = repo.options().packSize(64 << 10).build();
    Path index = repo.location.resolve("index");
    // Sequential: a checkpoint check after every file, so the checkpoints come at every 40 chunks.
    EngineHooks sequential = new EngineHooks(java.time.Clock.systemUTC(), true, null, false);
    try (Repository r = Repository.init(options, sequential)) {
      BackupRequest request = BackupRequest.builder().path(source).checkpointChunks(40).build();
      Snapshot first = r.backup(request);
      Files.write(source.resolve("extra"), BackupRestoreTest.randomBytes(random, 200_000));
      Snapshot second = r.backup(request);
      r.forget(List.of(first.id()), false);
      Files.delete(source.resolve("extra"));
      Snapshot third = r.backup(request);
      r.forget(List.of(second.id()), false);
      int before = DamageTest.blobsUnder(index).size();
      assertTrue(before >= 5, "the test needs many small segments: " + before);

      r.prune(NOW);
      PruneResult sweep = r.prune(NOW);
      assertTrue(sweep.packsDeleted() > 0, "the second prune sweeps");
      assertEquals(1, DamageTest.blobsUnder(index).size(), before + " small segments merged into one");

      Path target = temp.resolve("target");
      RestoreResult result = r.restore(third.id(), target);
      assertTrue(result.isComplete(), result.errors().toString());
      assertSameTree(source, restored(target, source));
    }
    // A fresh cache directory: the index comes from the merged segment alone.
    try (Repository r = Repository.open(repo.options().cacheDirectory(temp.resolve("fresh-cache")).build())) {
      CheckResult check = r.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());
      Path target = temp.resolve("fresh-target");
      assertTrue(r.restore(r.snapshots().get(0).id(), target).isComplete());
      assertSameTree(source, restored(target, source));
    }
  }

  /** The size of a fresh repository holding only the current tree. */
  private long liveSize() throws IOException {
    TestRepo fresh = new TestRepo(temp.resolve("fresh"));
    try (Repository r = fresh.init()) {
      r.backup(BackupRequest.of(source));
    }
    return fresh.size() - Files.size(fresh.location.resolve("config"));
  }

  @Test
  void aRunningBackupKeepsMarksFromBeingSweptUntilItEnds() throws IOException {
    Files.write(source.resolve("a"), BackupRestoreTest.randomBytes(random, 1 << 20));
    try (Repository r = repo.init()) {
      Snapshot s = r.backup(BackupRequest.of(source));
      r.forget(List.of(s.id()), false);
      WriterSession running = WriterSession.start(r.engine().store(), r.engine().sealing(),
          r.engine().hooks().clock(), Duration.ofMinutes(1), "another-host", false);
      PruneResult mark = r.prune(NOW);
      assertTrue(mark.packsMarked() > 0);
      long before = repo.size();
      PruneResult blocked = r.prune(NOW);
      assertEquals(0, blocked.packsDeleted());
      assertEquals(1, blocked.waitingFor().size(), blocked.toString());
      assertTrue(blocked.waitingFor().get(0).contains("another-host"), blocked.waitingFor().toString());
      assertTrue(repo.size() >= before - 4096, "nothing was deleted while the backup runs");
      running.end(true);
      PruneResult swept = r.prune(NOW);
      assertEquals(mark.packsMarked(), swept.packsDeleted());
    }
  }

  @Test
  void aCrashedPrunesLeaseHoldsOffOthersUntilItExpiresOrAShorterLeaseIsAsked() throws IOException {
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source));
      // What a prune that crashed 10 minutes ago leaves: its lease, never removed.
      Path lease = Files.createDirectories(repo.location.resolve("leases")).resolve("0000000000000007");
      Files.writeString(lease, "prune that crashed");
      Files.setLastModifiedTime(lease, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));

      RepositoryException refused = assertThrows(RepositoryException.class, () -> r.prune(PruneRequest.defaults()));
      assertTrue(refused.getMessage().contains("another prune or index repair holds the maintenance lease"), refused.getMessage());
      assertTrue(refused.getMessage().contains("3600 s"), "the default lease is the default session expiry, 1 h: "
          + refused.getMessage());
      assertEquals(Duration.ofHours(2), PruneRequest.builder().sessionExpiry(Duration.ofHours(2)).build().lease(),
          "the default lease is at least the session expiry");

      r.prune(PruneRequest.builder().lease(Duration.ofMinutes(5)).build());
      assertFalse(Files.exists(lease), "the stale lease was taken over and removed");
      assertEquals(List.of(), repo.blobs().stream().filter(p -> p.startsWith(repo.location.resolve("leases"))).toList(),
          "a prune that ends removes its own lease");
    }
  }

  @Test
  void dryRunsChangeNothing() throws IOException {
    Files.write(source.resolve("a"), BackupRestoreTest.randomBytes(random, 1 << 20));
    try (Repository r = repo.init()) {
      Snapshot s = r.backup(BackupRequest.of(source));
      ForgetResult wouldForget = r.forget(List.of(s.id()), true);
      assertEquals(1, wouldForget.removed().size());
      assertEquals(1, r.snapshots().size());
      r.forget(List.of(s.id()), false);
      List<Path> blobs = repo.blobs();
      PruneResult dry = r.prune(PruneRequest.builder().grace(Duration.ZERO).dryRun(true).build());
      assertTrue(dry.packsMarked() > 0);
      assertEquals(blobs, repo.blobs());
    }
  }

  @Test
  void aWriteKeyCannotForgetOrPrune() throws IOException {
    Path writeKey = temp.resolve("w.key");
    Files.writeString(source.resolve("a"), "a");
    SnapshotId id;
    try (Repository r = repo.init()) {
      id = r.backup(BackupRequest.of(source)).id();
      r.exportWriteKey(writeKey, null);
    }
    try (Repository w = Repository.open(repo.options().keyFile(writeKey).build())) {
      assertThrows(KeyException.class, () -> w.forget(List.of(id), false));
      assertThrows(KeyException.class, () -> w.forget(ForgetPolicy.builder().keepLast(1).build(), false));
      assertThrows(KeyException.class, () -> w.prune(NOW));
      assertEquals(1, w.snapshots().size());
    }
  }

  @Test
  void aForgetPolicyMustKeepSomething() throws IOException {
    try (Repository r = repo.init()) {
      assertThrows(IllegalArgumentException.class, () -> r.forget(ForgetPolicy.builder().build(), false));
    }
  }

  @Test
  void aPausedBackupWhoseDataWasPrunedAwayStoresItAgainAndCommits() throws Exception {
    MutableClock clock = new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    dev.bakare.store.testkit.MemoryBlobStore shared = new dev.bakare.store.testkit.MemoryBlobStore(clock);
    EngineHooks hooks = new EngineHooks(clock, false, shared, false);
    for (int i = 0; i < 4; i++) {
      Files.write(source.resolve("f" + i), BackupRestoreTest.randomBytes(random, 700_000));
    }
    SnapshotId old;
    try (Repository r = Repository.init(repo.options().build(), hooks)) {
      old = r.backup(BackupRequest.of(source)).id();
    }
    Freezer freezer = new Freezer();
    dev.bakare.store.testkit.FaultInjectingBlobStore frozenView = new dev.bakare.store.testkit.FaultInjectingBlobStore(
        shared, dev.bakare.store.testkit.FaultInjectingBlobStore.Config.builder(1).interceptor(freezer).build());
    EngineHooks writerHooks = new EngineHooks(clock, false, frozenView, false);
    try (Repository writer = Repository.open(repo.options().heartbeat(Duration.ofSeconds(10)).build(), writerHooks);
        Repository pruner = Repository.open(repo.options().build(), hooks)) {
      java.util.concurrent.CompletableFuture<Snapshot> backup = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return writer.backup(BackupRequest.of(source));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      freezer.awaitFrozen();
      // The writer has deduplicated everything against the old snapshot's packs. Forget it and prune twice,
      // long after the writer's session expired.
      pruner.forget(List.of(old), false);
      PruneRequest request = PruneRequest.builder().grace(Duration.ofMinutes(5)).sessionExpiry(Duration.ofMinutes(10)).build();
      PruneResult mark = pruner.prune(request);
      assertTrue(mark.packsMarked() > 0);
      clock.advance(Duration.ofHours(1));
      PruneResult sweep = pruner.prune(request);
      assertEquals(1, sweep.sessionsAbandoned(), sweep.toString());
      assertEquals(mark.packsMarked(), sweep.packsDeleted(), "every pack the writer relied on is gone");

      freezer.thaw();
      Snapshot healed = backup.get();
      assertEquals(List.of(source.toString()), healed.paths());
      Path target = temp.resolve("target");
      RestoreResult restored = pruner.restore(healed.id(), target);
      assertTrue(restored.isComplete(), restored.errors().toString());
      assertSameTree(source, restored(target, source));
      CheckResult check = pruner.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());
      assertFalse(freezer.frozenOps.isEmpty());
    }
  }

  /**
   * Freezes every storage operation of one engine (heartbeats included, as SIGSTOP would) from the moment
   * it parks its snapshot in its session, until thawed.
   */
  private static final class Freezer implements dev.bakare.store.testkit.FaultInjectingBlobStore.Interceptor {
    private final java.util.concurrent.CountDownLatch frozen = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch thawed = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean freezing;
    final List<String> frozenOps = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void before(dev.bakare.store.testkit.FaultInjectingBlobStore.Operation operation, String subject)
        throws InterruptedException {
      boolean first = !freezing && operation == dev.bakare.store.testkit.FaultInjectingBlobStore.Operation.PUT
          && subject.startsWith("sessions/") && subject.endsWith("/snapshot");
      if (first || (freezing && thawed.getCount() > 0)) {
        // Recorded before the test is told, so that it never sees the freeze without the operation.
        frozenOps.add(operation + " " + subject);
        if (first) {
          freezing = true;
          frozen.countDown();
        }
        thawed.await();
      }
    }

    void awaitFrozen() throws InterruptedException {
      assertTrue(frozen.await(60, java.util.concurrent.TimeUnit.SECONDS), "the writer never reached its commit");
    }

    void thaw() {
      thawed.countDown();
    }
  }
}
