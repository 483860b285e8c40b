package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.protocol.ProtocolLayout;
import dev.bakare.internal.protocol.SessionFinal;
import dev.bakare.internal.protocol.WriterSession;
import dev.bakare.internal.repo.EngineHooks;
import dev.bakare.store.spi.BlobInfo;
import dev.bakare.store.testkit.FaultInjectingBlobStore;
import dev.bakare.store.testkit.MemoryBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sessions of backups whose process died after the commit claim, while removing its session (here:
 * every delete under {@code sessions/} fails, as if the process was killed there). Found by the
 * concurrency simulation: seeds 1000005 (a session left behind) and 1000015 (prunes that never converge).
 */
class StaleSessionTest {
  private static final PruneRequest PRUNE = PruneRequest.builder().grace(Duration.ofMinutes(5))
      .sessionExpiry(Duration.ofMinutes(10)).maxUnused(0).build();

  @TempDir Path temp;
  MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  MemoryBlobStore shared = new MemoryBlobStore(clock);
  EngineHooks hooks = new EngineHooks(clock, true, shared, false);
  RepositoryOptions options;
  Path source;
  Random random = new Random(11);

  @BeforeEach
  void setUp() throws IOException {
    options = new TestRepo(temp).options().threads(1).build();
    source = Files.createDirectories(temp.resolve("source"));
    Repository.init(options, hooks).close();
  }

  /** A backup that commits, then dies before its session is removed. */
  private Snapshot backupThatDiesAfterItsCommit() throws IOException {
    FaultInjectingBlobStore dying = new FaultInjectingBlobStore(shared, FaultInjectingBlobStore.Config.builder(1)
        .failPermanentlyUnder(ProtocolLayout.SESSIONS, FaultInjectingBlobStore.Operation.DELETE).build());
    try (Repository r = Repository.open(options, new EngineHooks(clock, true, dying, false))) {
      return r.backup(BackupRequest.of(source));
    }
  }

  /** Every blob under sessions/ except the final claims of abandoned sessions (which must stay). */
  private List<String> sessionLeftovers(Repository r) throws IOException {
    List<String> left = new ArrayList<>();
    List<BlobInfo> blobs = new ArrayList<>();
    shared.list(ProtocolLayout.SESSIONS, blobs::add);
    for (BlobInfo b : blobs) {
      String session = ProtocolLayout.idBelow(b.name(), ProtocolLayout.SESSIONS).orElseThrow();
      boolean abandonedFinal = b.name().equals(ProtocolLayout.sessionFinal(session))
          && WriterSession.readFinal(shared, r.engine().sealing(), session).outcome() == SessionFinal.Outcome.ABANDONED;
      if (!abandonedFinal) {
        left.add(b.name().value());
      }
    }
    return left;
  }

  @Test
  void theSessionOfADeadBackupStaysUntilReclaimed() throws IOException {
    Files.write(source.resolve("a"), BackupRestoreTest.randomBytes(random, 100_000));
    backupThatDiesAfterItsCommit();
    try (Repository r = Repository.open(options, hooks)) {
      assertTrue(!sessionLeftovers(r).isEmpty(), "the dead backup left its session");
    }
  }

  @Test
  void prunesReclaimTheSessionOfADeadBackupEvenWithNothingToMark() throws IOException {
    Files.write(source.resolve("a"), BackupRestoreTest.randomBytes(random, 100_000));
    backupThatDiesAfterItsCommit();
    try (Repository r = Repository.open(options, hooks)) {
      for (int i = 0; i < 3; i++) {
        clock.advance(Duration.ofHours(1));
        r.prune(PRUNE);
      }
      assertEquals(List.of(), sessionLeftovers(r));
    }
  }

  @Test
  void aForgottenSnapshotOfADeadBackupReleasesItsPacks() throws IOException {
    Files.write(source.resolve("a"), BackupRestoreTest.randomBytes(random, 100_000));
    Snapshot dead = backupThatDiesAfterItsCommit();
    Files.delete(source.resolve("a"));
    Files.write(source.resolve("b"), BackupRestoreTest.randomBytes(random, 100_000));
    try (Repository r = Repository.open(options, hooks)) {
      r.backup(BackupRequest.of(source));
      r.forget(List.of(dead.id()), false);
      long deleted = 0;
      long kept = 0;
      for (int i = 0; i < 3; i++) {
        clock.advance(Duration.ofHours(1));
        PruneResult result = r.prune(PRUNE);
        deleted += result.packsDeleted();
        kept += result.packsKept();
      }
      assertTrue(deleted > 0, "the forgotten snapshot's packs are deleted");
      assertEquals(0, kept, "no pack is kept for a forgotten snapshot");
    }
  }
}
