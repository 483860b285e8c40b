package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a put or a staged pack cut short by kill -9 leaves in a file system repository is reclaimed. */
class CrashLeftoversTest {
  @TempDir Path temp;

  @Test
  void aPartialPutLeftByAKilledBackupIsReclaimedByPrune() throws IOException {
    TestRepo repo = new TestRepo(temp);
    Path source = Files.createDirectories(temp.resolve("source"));
    Files.writeString(source.resolve("a.txt"), "a\n");
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.of(source));
    }
    Path leftover = Files.createDirectories(repo.location.resolve("data/ab")).resolve("~put-0123456789abcdef");
    Files.write(leftover, new byte[1 << 20]);
    Files.setLastModifiedTime(leftover, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    // A pack being filled when the backup was killed: staged in the repository directory itself.
    Path staged = repo.location.resolve("~put-fedcba9876543210");
    Files.write(staged, new byte[3000]);
    Files.setLastModifiedTime(staged, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    try (Repository r = repo.open()) {
      assertEquals((1 << 20) + 3000, r.prune(PruneRequest.defaults()).incompleteUploadBytes());
    }
    assertFalse(Files.exists(leftover), "the partial upload of a killed backup is still there");
    assertFalse(Files.exists(staged), "the staged pack of a killed backup is still there");
  }
}
