package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup that commits while a prune runs: the prune is held right after one of its listings, the backup
 * uploads, indexes and commits, then the prune goes on. Each case was found by the concurrency simulation.
 */
class PruneRaceTest {
  private static final PruneRequest NOW = PruneRequest.builder().grace(Duration.ZERO).build();

  @TempDir Path temp;
  MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  MemoryBlobStore shared = new MemoryBlobStore(clock);
  EngineHooks hooks = new EngineHooks(clock, true, shared, false);
  Random random = new Random(3);
  RepositoryOptions options;
  Path old;
  Path fresh;

  @BeforeEach
  void setUp() throws IOException {
    options = new TestRepo(temp).options().build();
    old = Files.createDirectories(temp.resolve("old"));
    Files.write(old.resolve("a"), BackupRestoreTest.randomBytes(random, 200_000));
    fresh = Files.createDirectories(temp.resolve("fresh"));
    Files.write(fresh.resolve("b"), BackupRestoreTest.randomBytes(random, 200_000));
  }

  /**
   * Seed 1000006: the sweep listed {@code data/} once, early, and when it rewrote the index segments it
   * dropped every pack missing from that listing as "already gone", including the packs of a backup that
   * uploaded and indexed them after the listing. That backup's committed snapshot had no index entries any
   * more: restore failed, and every later prune stopped on the unreadable tree.
   */
  @Test
  void aBackupCommittedAfterTheSweepListedThePacksKeepsItsIndex() throws Exception {
    Snapshot committed = pruneWhileABackupCommits(true, "data/");
    assertRestoresAndChecksClean(committed);
  }

  /**
   * Seed 1000021: the sweep loaded the index, then listed the snapshots; one committed in between had
   * trees the loaded index lacked, and the prune stopped with "nothing was deleted: tree ... cannot be
   * read; run check, then repair", about a healthy repository.
   */
  @Test
  void aSweepIsNotStoppedByABackupCommittedAfterItLoadedTheIndex() throws Exception {
    Snapshot committed = pruneWhileABackupCommits(true, "index/");
    assertRestoresAndChecksClean(committed);
  }

  /** The same race in the mark phase, when there is nothing to sweep. */
  @Test
  void aMarkIsNotStoppedByABackupCommittedAfterItLoadedTheIndex() throws Exception {
    Snapshot committed = pruneWhileABackupCommits(false, "index/");
    assertRestoresAndChecksClean(committed);
  }

  /**
   * Seed 1000238: a prune paused between reading a tombstone and reading the sessions recorded for it, past
   * its lease; another prune took over and swept that tombstone; the first, finding no sessions blob,
   * took the tombstone for one whose marking prune had stopped early and recorded the sessions anew:
   * a {@code tombstones/<id>/sessions} blob without its {@code packs}, which no prune ever removed.
   */
  @Test
  void twoPrunesSweepingOneTombstoneLeaveNothingOfIt() throws Exception {
    try (Repository r = Repository.init(options, hooks)) {
      Snapshot s = r.backup(BackupRequest.of(old));
      r.forget(List.of(s.id()), false);
      assertTrue(r.prune(NOW).packsMarked() > 0, "the first prune marks the forgotten snapshot's packs");
    }
    PauseAt pause = PauseAt.before(FaultInjectingBlobStore.Operation.GET, "tombstones/", "/sessions");
    try (Repository slow = Repository.open(options, new EngineHooks(clock, true, pause.wrap(shared), false));
        Repository other = Repository.open(options, hooks)) {
      CompletableFuture<PruneResult> first = PauseAt.inBackground(() -> slow.prune(NOW));
      pause.awaitPaused("the prune reads the tombstone's sessions");
      clock.advance(Duration.ofHours(1));
      assertTrue(other.prune(NOW).packsDeleted() > 0, "the other prune, past the first one's lease, sweeps");
      pause.resume();
      first.get();
      clock.advance(Duration.ofHours(1));
      other.prune(NOW);
      List<String> left = new java.util.ArrayList<>();
      shared.list("tombstones/", info -> left.add(info.name().value()));
      assertEquals(List.of(), left);
    }
  }

  /**
   * Seed 1000765: a backup listed the index segments, a sweep replaced one of them (the replacement lists
   * the packs it keeps) and deleted the original, and the backup's read of the original failed with "blob
   * not found": the backup failed after uploading its packs.
   */
  @Test
  void aBackupLoadsTheIndexWhileASweepReplacesSegments() throws Exception {
    // Pack size 64 KiB and files of 70 KB: one backup writes a pack for each file and indexes them together.
    options = new TestRepo(temp).options().packSize(64 << 10).threads(1).build();
    Path two = Files.createDirectories(temp.resolve("two"));
    Files.write(two.resolve("kept"), BackupRestoreTest.randomBytes(random, 70_000));
    Files.write(two.resolve("dropped"), BackupRestoreTest.randomBytes(random, 70_000));
    Snapshot second;
    try (Repository r = Repository.init(options, hooks)) {
      Snapshot first = r.backup(BackupRequest.of(two));
      Files.delete(two.resolve("dropped"));
      second = r.backup(BackupRequest.of(two));
      r.forget(List.of(first.id()), false);
      assertTrue(r.prune(NOW).packsMarked() > 0, "the first prune marks the dropped file's pack");
    }
    PauseAt pause = PauseAt.after(FaultInjectingBlobStore.Operation.LIST, "index/");
    try (Repository writer = Repository.open(options, new EngineHooks(clock, true, pause.wrap(shared), false));
        Repository pruner = Repository.open(options, hooks)) {
      CompletableFuture<Snapshot> backup = PauseAt.inBackground(() -> writer.backup(BackupRequest.of(fresh)));
      pause.awaitPaused("the backup lists the index");
      assertTrue(pruner.prune(NOW).packsDeleted() > 0, "the sweep replaces the segment of the first backup");
      pause.resume();
      Snapshot committed = backup.get();
      assertRestoresAndChecksClean(committed);
      Path target = temp.resolve("second");
      assertTrue(writer.restore(second.id(), target).isComplete(), "the writer's index has the kept pack");
      assertSameTree(two, restored(target, two));
    }
  }

  /**
   * Holds a prune after its first listing of {@code prefix}, commits a backup of {@link #fresh}, lets the
   * prune finish (it must succeed), and returns the backup's snapshot.
   *
   * @param sweepFirst whether a forgotten snapshot's packs were marked before, so that the prune sweeps
   */
  private Snapshot pruneWhileABackupCommits(boolean sweepFirst, String prefix) throws Exception {
    try (Repository r = Repository.init(options, hooks)) {
      Snapshot s = r.backup(BackupRequest.of(old));
      if (sweepFirst) {
        r.forget(List.of(s.id()), false);
        assertTrue(r.prune(NOW).packsMarked() > 0, "the first prune marks the forgotten snapshot's packs");
      }
    }
    PauseAt pause = PauseAt.after(FaultInjectingBlobStore.Operation.LIST, prefix);
    try (Repository pruner = Repository.open(options, new EngineHooks(clock, true, pause.wrap(shared), false));
        Repository writer = Repository.open(options, hooks)) {
      CompletableFuture<PruneResult> prune = PauseAt.inBackground(() -> pruner.prune(NOW));
      pause.awaitPaused("the prune lists " + prefix);
      Snapshot committed = writer.backup(BackupRequest.of(fresh));
      pause.resume();
      PruneResult result = prune.get();
      if (sweepFirst) {
        assertTrue(result.packsDeleted() > 0, "the sweep deleted the forgotten snapshot's packs: " + result);
      }
      return committed;
    }
  }

  private void assertRestoresAndChecksClean(Snapshot committed) throws IOException {
    try (Repository reader = Repository.open(options, hooks)) {
      Path target = temp.resolve("target");
      RestoreResult result = reader.restore(committed.id(), target);
      assertTrue(result.isComplete(), result.errors().toString());
      assertSameTree(fresh, restored(target, fresh));
      CheckResult check = reader.check(CheckRequest.readAllData());
      assertEquals(List.of(), check.problems());
    }
  }
}
