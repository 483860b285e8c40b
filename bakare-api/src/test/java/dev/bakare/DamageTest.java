package dev.bakare;

import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.content.ChunkLocation;
import dev.bakare.internal.content.ChunkType;
import dev.bakare.internal.format.ObjectId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged pack fails exactly the files that use the damaged bytes, with an error naming the pack. */
class DamageTest {
  @TempDir Path temp;

  @Test
  void flippedByteInAPackFailsOnlyTheAffectedFile() throws IOException {
    TestRepo repo = new TestRepo(temp);
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(3);
    byte[] victim = BackupRestoreTest.randomBytes(random, 200_000);
    byte[] bystander = BackupRestoreTest.randomBytes(random, 200_000);
    Files.write(source.resolve("victim.bin"), victim);
    Files.write(source.resolve("bystander.bin"), bystander);
    try (Repository r = repo.init()) {
      Snapshot snapshot = r.backup(BackupRequest.of(source));
      ObjectId victimChunk = r.engine().hasher().hash(victim);
      ChunkLocation location = r.engine().index().find(victimChunk).orElseThrow();
      assertEquals(ChunkType.DATA, location.type());
      Path pack = repo.location.resolve("data").resolve(location.pack().id().hex().substring(0, 2))
          .resolve(location.pack().id().hex());
      flip(pack, location.offset() + random.nextInt(location.storedLength()));

      Path target = temp.resolve("target");
      RestoreResult result = r.restore(snapshot.id(), target);
      assertEquals(1, result.errors().size(), () -> "errors: " + result.errors());
      FileError error = result.errors().get(0);
      assertEquals(source.resolve("victim.bin").toString(), error.path());
      assertTrue(error.reason().contains("data/" + location.pack().id().hex().substring(0, 2) + "/" + location.pack().id().hex()),
          "the error names the pack: " + error.reason());
      assertTrue(error.reason().contains("damaged"), error.reason());
      assertFalse(Files.exists(restored(target, source.resolve("victim.bin"))), "no half-restored file is left");
      assertArrayEquals(bystander, Files.readAllBytes(restored(target, source.resolve("bystander.bin"))));
    }
  }

  static void flip(Path file, long position) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(position);
      int b = raf.read();
      raf.seek(position);
      raf.write(b ^ 0x01);
    }
  }

  static List<Path> blobsUnder(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }
}
