package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.content.ChunkLocation;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckTest {
  @TempDir Path temp;
  TestRepo repo;
  Path source;
  byte[] victim;

  @BeforeEach
  void setUp() throws IOException {
    repo = new TestRepo(temp);
    source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(11);
    victim = BackupRestoreTest.randomBytes(random, 200_000);
    Files.write(source.resolve("victim.bin"), victim);
    Files.write(source.resolve("other.bin"), BackupRestoreTest.randomBytes(random, 200_000));
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source));
    }
  }

  @Test
  void aSoundRepositoryChecksClean() throws IOException {
    try (Repository r = repo.open()) {
      CheckResult result = r.check(CheckRequest.readAllData());
      assertTrue(result.isClean(), result.problems().toString());
      assertEquals(1, result.snapshots());
      assertEquals(result.packs(), result.packsRead());
      assertTrue(result.trees() >= 3, "root, the directories on the way and the source: " + result.trees());
      assertTrue(result.chunks() >= result.trees() + 2, "the trees and at least a chunk per file: " + result);
    }
  }

  @Test
  void checkCountsChunksAndAnUnchangedBackupAddsNone() throws IOException {
    try (Repository r = repo.open()) {
      CheckResult first = r.check(CheckRequest.structure());
      long before = first.chunks();
      r.backup(BackupRequest.of(source));
      long unchanged = r.check(CheckRequest.structure()).chunks();
      // Only trees above the source may differ (their directories' times); no data is stored again.
      assertTrue(unchanged - before < first.trees(), "an unchanged backup added " + (unchanged - before) + " chunks");
      before = unchanged;
      Files.write(source.resolve("new.bin"), BackupRestoreTest.randomBytes(new Random(12), 1_000));
      r.backup(BackupRequest.of(source));
      long after = r.check(CheckRequest.structure()).chunks();
      assertTrue(after > before, "a new file and the trees above it add chunks: " + before + " -> " + after);
    }
  }

  @Test
  void aFlippedByteIsFoundByReadingDataAndNamesTheFile() throws IOException {
    String packName;
    try (Repository r = repo.open()) {
      ChunkLocation location = r.engine().index().find(r.engine().hasher().hash(victim)).orElseThrow();
      packName = "data/" + location.pack().id().hex().substring(0, 2) + "/" + location.pack().id().hex();
      DamageTest.flip(repo.location.resolve(packName), location.offset() + 100);
    }
    try (Repository r = repo.open()) {
      assertTrue(r.check(CheckRequest.structure()).isClean(), "structure alone does not read data");
      CheckResult result = r.check(CheckRequest.readAllData());
      assertFalse(result.isClean());
      List<CheckResult.Problem> onPack = result.problems().stream().filter(p -> p.object().equals(packName)).toList();
      assertEquals(2, onPack.size(), "its hash and its chunk: " + result.problems());
      assertTrue(result.problems().stream().anyMatch(p -> p.affects().stream()
          .anyMatch(a -> a.endsWith(source.resolve("victim.bin").toString()))), result.problems().toString());
      assertTrue(result.problems().stream().noneMatch(p -> p.affects().stream().anyMatch(a -> a.contains("other.bin"))),
          result.problems().toString());
    }
  }

  @Test
  void aMissingPackIsReportedWithWhatItAffects() throws IOException {
    try (Repository r = repo.open()) {
      ChunkLocation location = r.engine().index().find(r.engine().hasher().hash(victim)).orElseThrow();
      ObjectId pack = location.pack().id();
      Files.delete(repo.location.resolve("data").resolve(pack.hex().substring(0, 2)).resolve(pack.hex()));
      CheckResult result = r.check(CheckRequest.structure());
      assertTrue(result.problems().stream().anyMatch(p -> p.object().equals("data/" + pack.hex().substring(0, 2) + "/" + pack.hex())
          && p.description().startsWith("missing from storage")), result.problems().toString());
    }
  }

  @Test
  void damagedIndexAndSnapshotBlobsAreNamed() throws IOException {
    Path index = DamageTest.blobsUnder(repo.location.resolve("index")).get(0);
    Path snapshot = DamageTest.blobsUnder(repo.location.resolve("snapshots")).get(0);
    DamageTest.flip(index, 20);
    DamageTest.flip(snapshot, 30);
    try (Repository r = repo.open()) {
      CheckResult result = r.check(CheckRequest.structure());
      String indexName = "index/" + index.getFileName();
      String snapshotName = "snapshots/" + snapshot.getFileName();
      assertTrue(result.problems().stream().anyMatch(p -> p.object().equals(indexName)), result.problems().toString());
      assertTrue(result.problems().stream().anyMatch(p -> p.object().equals(snapshotName)), result.problems().toString());
    }
  }

  @Test
  void aWriteKeyChecksWhatItCanRead() throws IOException {
    Path writeKey = temp.resolve("write.key");
    try (Repository r = repo.open()) {
      r.exportWriteKey(writeKey, null);
    }
    try (Repository w = Repository.open(repo.options().keyFile(writeKey).build())) {
      CheckResult result = w.check(CheckRequest.readAllData());
      assertTrue(result.isClean(), result.problems().toString());
      assertTrue(result.notes().stream().anyMatch(n -> n.contains("write key")), result.notes().toString());
      assertEquals(result.packs(), result.packsRead(), "pack hashes need no key");
    }
  }

  @Test
  void packsReadOnSeveralThreadsReportEveryDamagedPackAndNoOther() throws IOException {
    Path many = Files.createDirectories(temp.resolve("many"));
    Random random = new Random(13);
    for (int i = 0; i < 40; i++) {
      Files.write(many.resolve("file" + i + ".bin"), BackupRestoreTest.randomBytes(random, 100_000));
    }
    TestRepo smallPacks = new TestRepo(temp.resolve("small-packs"));
    try (Repository r = Repository.init(smallPacks.options().packSize(1 << 16).build())) {
      r.backup(BackupRequest.of(many));
    }
    List<Path> packs = DamageTest.blobsUnder(smallPacks.location.resolve("data"));
    assertTrue(packs.size() >= 40, "a pack per file at 64 KiB packs: " + packs.size());
    List<Path> damaged = List.of(packs.get(3), packs.get(17), packs.get(packs.size() - 2));
    for (Path pack : damaged) {
      DamageTest.flip(pack, Files.size(pack) / 2);
    }
    try (Repository r = Repository.open(smallPacks.options().threads(4).build())) {
      CheckResult result = r.check(CheckRequest.readAllData());
      assertEquals(result.packs(), result.packsRead());
      Set<String> expected = damaged.stream()
          .map(pack -> "data/" + pack.getParent().getFileName() + "/" + pack.getFileName()).collect(Collectors.toSet());
      Set<String> reported = result.problems().stream().map(CheckResult.Problem::object)
          .filter(object -> object.startsWith("data/")).collect(Collectors.toSet());
      assertEquals(expected, reported, result.problems().toString());
    }
  }
}
