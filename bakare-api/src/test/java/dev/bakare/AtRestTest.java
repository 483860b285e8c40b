package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing the storage holds reveals a file name or any 16 bytes of any file. */
class AtRestTest {
  @TempDir Path temp;

  @Test
  void noBlobContainsANameOrSixteenBytesOfContent() throws IOException {
    TestRepo repo = new TestRepo(temp);
    Path source = Files.createDirectories(temp.resolve("source"));
    Random random = new Random(42);
    List<String> names = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String name = "confidential-report-" + i + "-" + Long.toHexString(random.nextLong()) + ".txt";
      Path dir = Files.createDirectories(source.resolve("project-directory-" + (i % 3)));
      byte[] content = i % 2 == 0
          ? BackupRestoreTest.randomBytes(random, 100_000 + random.nextInt(300_000))
          : ("Quarterly numbers for region " + i + ": revenue up, costs down. ").repeat(2000).getBytes(StandardCharsets.UTF_8);
      Files.write(dir.resolve(name), content);
      names.add(name);
      names.add(dir.getFileName().toString());
      contents.add(content);
    }
    try (Repository r = repo.init()) {
      r.backup(BackupRequest.builder().path(source).tag("at-rest").build());
    }
    Set<ByteBuffer> windows = new HashSet<>();
    for (byte[] content : contents) {
      for (int i = 0; i + 16 <= content.length; i++) {
        windows.add(ByteBuffer.wrap(content, i, 16).slice());
      }
    }
    List<Path> blobs = repo.blobs();
    assertFalse(blobs.isEmpty());
    for (Path blob : blobs) {
      byte[] bytes = Files.readAllBytes(blob);
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      for (String name : names) {
        assertFalse(text.contains(name), blob + " contains the file name " + name);
      }
      assertFalse(text.contains(source.toString()), blob + " contains the backed-up path");
      for (int i = 0; i + 16 <= bytes.length; i++) {
        if (windows.contains(ByteBuffer.wrap(bytes, i, 16).slice())) {
          throw new AssertionError(blob + " holds 16 bytes of a backed-up file at offset " + i);
        }
      }
    }
    assertTrue(blobs.stream().anyMatch(p -> p.toString().contains("/data/")));
  }
}
