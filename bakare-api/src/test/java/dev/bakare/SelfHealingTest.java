package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.content.ChunkLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged or lost index segments never make a snapshot unreadable; repair writes things down again. */
class SelfHealingTest {
  @TempDir Path temp;
  TestRepo repo;
  Path source;
  byte[] victim;

  @BeforeEach
  void setUp() throws IOException {
    repo = new TestRepo(temp);
    source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(8);
    for (int i = 0; i < 5; i++) {
      Files.write(source.resolve("f" + i), BackupRestoreTest.randomBytes(random, 100_000 + i));
    }
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source));
      // A second backup puts the victim's data in a pack of its own.
      victim = BackupRestoreTest.randomBytes(random, 150_000);
      Files.write(source.resolve("victim.bin"), victim);
      r.backup(BackupRequest.of(source));
    }
  }

  private List<Path> segments() throws IOException {
    return DamageTest.blobsUnder(repo.location.resolve("index"));
  }

  private void assertRestoresIdentically(Repository r) throws IOException {
    Path target = Files.createTempDirectory(temp, "target");
    RestoreResult result = r.restore(r.snapshot("latest").id(), target);
    assertTrue(result.isComplete(), result.errors().toString());
    assertSameTree(source, restored(target, source));
  }

  @Test
  void aDamagedSegmentIsReportedAloneAndEverythingStillRestores() throws IOException {
    Path segment = segments().get(0);
    DamageTest.flip(segment, 40);
    try (Repository r = repo.open()) {
      assertRestoresIdentically(r);
      CheckResult check = r.check(CheckRequest.readAllData());
      assertEquals(1, check.problems().size(), check.problems().toString());
      assertEquals("index/" + segment.getFileName(), check.problems().get(0).object());

      IndexRepairResult repair = r.repairIndex();
      assertTrue(repair.segmentsRemoved() >= 1);
      assertTrue(repair.problems().isEmpty(), repair.problems().toString());
      assertFalse(Files.exists(segment));
    }
    try (Repository r = repo.open()) {
      CheckResult check = r.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());
      assertTrue(check.notes().isEmpty(), check.notes().toString());
      assertRestoresIdentically(r);
    }
  }

  @Test
  void aDeletedSegmentIsHealedFromPackHeaders() throws IOException {
    for (Path segment : segments()) {
      Files.delete(segment);
    }
    try (Repository r = repo.open()) {
      assertRestoresIdentically(r);
      CheckResult check = r.check(CheckRequest.structure());
      assertTrue(check.isClean(), check.problems().toString());
      assertTrue(check.notes().stream().anyMatch(n -> n.contains("listed in no readable index segment")),
          check.notes().toString());
      r.repairIndex();
      CheckResult after = r.check(CheckRequest.structure());
      assertTrue(after.notes().isEmpty(), after.notes().toString());
    }
  }

  @Test
  void repairSnapshotsSalvagesWhatIsStillReadableAndListsTheRest() throws IOException {
    try (Repository r = repo.open()) {
      SnapshotId original = r.snapshot("latest").id();
      ChunkLocation location = r.engine().index().find(r.engine().hasher().hash(victim)).orElseThrow();
      String hex = location.pack().id().hex();
      Files.delete(repo.location.resolve("data").resolve(hex.substring(0, 2)).resolve(hex));
      assertFalse(r.check(CheckRequest.structure()).isClean());

      // The documented order: first the index (it stops listing the lost pack), then the snapshots.
      IndexRepairResult index = r.repairIndex();
      assertTrue(index.problems().isEmpty(), index.problems().toString());
      SnapshotRepairResult result = r.repairSnapshots(true, false);
      assertEquals(1, result.repaired().size());
      SnapshotRepairResult.Repaired repaired = result.repaired().get(0);
      assertEquals(original, repaired.original());
      assertTrue(repaired.lost().stream().anyMatch(e -> e.path().equals(source.resolve("victim.bin").toString())),
          repaired.lost().toString());

      Snapshot replacement = r.snapshot(repaired.replacement().hex());
      assertTrue(replacement.tags().contains("repaired"));
      assertEquals(original, replacement.parent());
      assertEquals(2, r.snapshots().size(), "the damaged original was forgotten, the older one is sound");
      CheckResult check = r.check(CheckRequest.readAllData());
      assertTrue(check.isClean(), check.problems().toString());

      Path target = temp.resolve("salvaged");
      RestoreResult restore = r.restore(replacement.id(), target);
      assertFalse(Files.exists(restored(target, source.resolve("victim.bin"))));
      for (int i = 0; i < 5; i++) {
        Path file = source.resolve("f" + i);
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(file), Files.readAllBytes(restored(target, file))),
            "lost by the pack: " + file + " errors " + restore.errors());
      }
    }
  }
}
