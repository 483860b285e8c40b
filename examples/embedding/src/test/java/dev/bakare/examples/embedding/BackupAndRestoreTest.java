package dev.bakare.examples.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.RestoreResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupAndRestoreTest {
  @TempDir Path temp;

  @Test
  void firstRunInitializesSecondRunDeduplicates() throws IOException {
    Path source = Files.createDirectories(temp.resolve("source/docs"));
    Files.writeString(source.resolve("a.txt"), "alpha\n");
    byte[] big = new byte[300_000];
    new Random(1).nextBytes(big);
    Files.write(source.resolve("big.bin"), big);
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
    assertArrayEquals(big, Files.readAllBytes(copy.resolve("big.bin")));

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    BackupAndRestore.run(repository, key, source, temp.resolve("restore2"),
        new PrintStream(second, true, StandardCharsets.UTF_8));
    List<Long> newBytes = second.toString(StandardCharsets.UTF_8).lines().filter(l -> l.endsWith(" new bytes"))
        .map(l -> Long.parseLong(l.replaceAll(".* files, (\\d+) new bytes", "$1"))).toList();
    assertEquals(2, newBytes.size(), "both snapshots are listed: " + second);
    assertTrue(newBytes.get(0) > big.length, "the first backup stored the content: " + newBytes);
    // The second stores only directory metadata that changed (the restore dirs appeared), not the files.
    assertTrue(newBytes.get(1) < 10_000, "the second backup stored no file content again: " + newBytes);
  }
}
