package dev.bakare;

import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names are bytes on Linux; a tree stores them as UTF-8 text. A name that is not valid in the JVM's
 * file name encoding (Latin-1 bytes, say) decodes with U+FFFD in it, and two such names decode alike: that
 * failed the whole backup ("duplicate entry name"). Such entries, and symlinks whose target does not
 * decode, are now errors of their own, and the rest of the directory is backed up.
 */
class UndecodableNamesTest {
  @TempDir Path temp;

  @Test
  void entriesWithUndecodableNamesAreErrorsAndTheirDirectoryIsBackedUp() throws Exception {
    assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
        "the JVM decodes file names as UTF-8 (it does under a UTF-8 locale)");
    Path source = Files.createDirectories(temp.resolve("source"));
    Files.writeString(source.resolve("ok.txt"), "plain");
    Files.writeString(source.resolve("café"), "valid UTF-8");
    Files.writeString(source.resolve("caf\uFFFD"), "a valid name holding U+FFFD itself");
    // "caf" + 0xE9 and "caf" + 0xE8 (Latin-1 é and è): Java cannot name these files, a shell can.
    createWithByteName(source, "caf\\351");
    createWithByteName(source, "caf\\350");
    runShell(source, "ln -s \"$(printf 'caf\\351')\" link-to-latin1");
    Files.createSymbolicLink(source.resolve("link-to-cafe"), Path.of("café"));
    assertEquals(7, countEntries(source), "the shell made both files and the link");

    try (Repository r = new TestRepo(temp).init()) {
      Snapshot snapshot = r.backup(BackupRequest.of(source));
      assertTrue(snapshot.isPartial());
      assertEquals(3, snapshot.errors().size(), snapshot.errors().toString());
      for (FileError error : snapshot.errors()) {
        assertTrue(error.reason().contains("not valid in this JVM's file name encoding"), error.reason());
      }
      assertTrue(snapshot.errors().stream().anyMatch(e -> e.path().endsWith("link-to-latin1")
          && e.reason().contains("its target")), snapshot.errors().toString());
      assertEquals(3, snapshot.stats().files());

      Path target = temp.resolve("target");
      assertTrue(r.restore(snapshot.id(), target).isComplete());
      Path restored = restored(target, source);
      assertEquals(Set.of("ok.txt", "café", "caf\uFFFD", "link-to-cafe"), names(restored));
      assertEquals(Path.of("café"), Files.readSymbolicLink(restored.resolve("link-to-cafe")));
      assertEquals("valid UTF-8", Files.readString(restored.resolve("café")));
      assertEquals("a valid name holding U+FFFD itself", Files.readString(restored.resolve("caf\uFFFD")));
    }
  }

  private static void createWithByteName(Path directory, String octalEscapedName) throws Exception {
    runShell(directory, "printf x > \"$(printf '" + octalEscapedName + "')\"");
  }

  private static void runShell(Path directory, String command) throws Exception {
    Process shell = new ProcessBuilder("sh", "-c", command).directory(directory.toFile()).redirectErrorStream(true)
        .start();
    String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, shell.waitFor(), "sh could not run " + command + ": " + output);
  }

  private static long countEntries(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.count();
    }
  }

  private static Set<String> names(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }
}
