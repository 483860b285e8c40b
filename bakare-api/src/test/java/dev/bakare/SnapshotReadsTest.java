package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bakare.internal.format.ObjectId;
import dev.bakare.internal.repo.Engine;
import dev.bakare.internal.snapshot.SnapshotCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots are read several at a time (finding a backup's parent reads them all); each result stays with
 * its id, in order, and a damaged or missing one is reported without hiding the others.
 */
class SnapshotReadsTest {
  @TempDir Path temp;

  @Test
  void readsKeepTheirOrderAndEachFailureStaysWithItsSnapshot() throws IOException {
    TestRepo repo = new TestRepo(temp);
    Path source = Files.createDirectories(temp.resolve("source"));
    try (Repository r = repo.init()) {
      for (int i = 0; i < 12; i++) {
        Files.writeString(source.resolve("file"), "version " + i);
        r.backup(BackupRequest.builder().path(source).host("host-" + i).build());
      }
      Engine engine = r.engine();
      List<ObjectId> ids = new ArrayList<>(engine.snapshotIds());
      ObjectId damaged = ids.get(5);
      Path damagedFile = repo.location.resolve("snapshots").resolve(damaged.hex());
      byte[] bytes = Files.readAllBytes(damagedFile);
      bytes[bytes.length / 2] ^= 1;
      Files.write(damagedFile, bytes);
      ObjectId missing = ObjectId.wrap(new byte[32]);
      ids.add(3, missing);
      // The backups' parent lookups cached what they read; these reads are of storage.
      Files.delete(SnapshotCache.fileFor(repo.cacheDirectory(), r.info().id()));

      List<Engine.SnapshotRead> reads = engine.readSnapshots(ids);
      assertEquals(ids.size(), reads.size());
      List<String> seenHosts = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        Engine.SnapshotRead read = reads.get(i);
        assertEquals(ids.get(i), read.id());
        if (read.id().equals(missing)) {
          assertNull(read.manifest());
          assertEquals(RepositoryException.class, read.failure().getClass());
        } else if (read.id().equals(damaged)) {
          assertNull(read.manifest());
          assertInstanceOf(IntegrityException.class, read.failure());
        } else {
          assertNotNull(read.manifest(), "snapshot " + read.id().shortHex() + ": " + read.failure());
          assertEquals(engine.readSnapshot(read.id()).summary(), read.manifest().summary());
          seenHosts.add(read.manifest().summary().host());
        }
      }
      assertEquals(11, seenHosts.size());
      assertEquals(11, r.snapshots().size(), "the damaged snapshot is skipped, the others listed");
    }
  }
}
