package dev.bakare.examples.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.RestoreResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupAndRestoreTest {
  @TempDir Path temp;

  @Test
  void firstRunInitializesSecondRunDeduplicates() throws IOException {
    Path source = Files.createDirectories(temp.resolve("source/docs"));
    Files.writeString(source.resolve("a.txt"), "alpha\n");
    Files.writeString(source.resolve("b.txt"), "beta\n");
    Path repository = temp.resolve("repo");
    Path key = temp.resolve("keys/repo.key");

    ByteArrayOutputStream first = new ByteArrayOutputStream();
    RestoreResult restored = BackupAndRestore.run(repository, key, source, temp.resolve("restore1"),
        new PrintStream(first, true, StandardCharsets.UTF_8));
    assertEquals(2, restored.files());
    assertTrue(restored.isComplete());
    assertTrue(Files.isRegularFile(key), "init wrote the key file where the application asked");
    Path copy = temp.resolve("restore1").resolve(source.getRoot().relativize(source).toString());
    assertEquals("alpha\n", Files.readString(copy.resolve("a.txt")));
    assertEquals("beta\n", Files.readString(copy.resolve("b.txt")));

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    BackupAndRestore.run(repository, key, source, temp.resolve("restore2"),
        new PrintStream(second, true, StandardCharsets.UTF_8));
    String log = second.toString(StandardCharsets.UTF_8);
    assertEquals(2, log.lines().filter(l -> l.contains(" files, ")).count(), "both snapshots listed: " + log);
    assertTrue(log.lines().filter(l -> l.contains(" files, ")).reduce((a, b) -> b).orElseThrow()
        .endsWith(" 0 new bytes"), "unchanged files add nothing: " + log);
  }
}
