package dev.bakare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In the C locale (cron, {@code env -i}, a service without LANG) the JVM encodes file names as ASCII. The
 * CLI's main run directly in such a JVM (not through {@code ./bakare}, which sets a UTF-8 locale) leaves
 * non-ASCII names out of a backup with an error each, and restores the rest of a snapshot that holds
 * them, listing them: before, the restore failed whole on the first such name.
 */
class CLocaleProcessTest {
  private static final Map<String, String> C_LOCALE = Map.of("LC_ALL", "C");

  @TempDir Path temp;

  @Test
  void nonAsciiNamesAreErrorsOfTheirOwnInTheCLocale() throws Exception {
    assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
        "this JVM writes the non-ASCII names the child cannot (it does under a UTF-8 locale)");
    Path source = Files.createDirectories(temp.resolve("source"));
    Files.writeString(source.resolve("ascii.txt"), "plain");
    Files.writeString(source.resolve("café.txt"), "accented");
    Files.createSymbolicLink(source.resolve("link"), Path.of("café.txt"));
    Path repo = temp.resolve("repo");
    CliRunner cli = new CliRunner(temp.resolve("config"));
    cli.run("-r", repo, "init").assertSuccess();
    cli.run("-r", repo, "backup", source).assertSuccess();

    ChildCli children = new ChildCli(temp, temp.resolve("config"), repo);
    Path target = temp.resolve("target");
    ChildCli.Outcome restore = children.start(C_LOCALE, "restore", "latest", "--target", target.toString()).await();
    assertEquals(Main.FAILURE, restore.code(), restore.toString());
    assertTrue(restore.err().contains("not restored: its name cannot be written in this JVM's file name encoding"),
        restore.err());
    assertTrue(restore.err().contains("not restored: its target cannot be written"), restore.err());
    assertTrue(restore.err().contains("2 entries of snapshot"), restore.err());
    Path restored = CliRunner.restored(target, source);
    assertEquals("plain", Files.readString(restored.resolve("ascii.txt")));
    assertFalse(Files.exists(restored.resolve("café.txt")));

    ChildCli.Outcome backup = children.start(C_LOCALE, "backup", source.toString()).await();
    assertEquals(Main.PARTIAL, backup.code(), backup.toString());
    assertTrue(backup.err().contains("not backed up: its name is not valid in this JVM's file name encoding"),
        backup.err());
    assertTrue(backup.err().contains("LANG=C.UTF-8"), backup.err());
  }
}
