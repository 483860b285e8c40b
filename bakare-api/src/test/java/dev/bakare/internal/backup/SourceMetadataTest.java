package dev.bakare.internal.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways {@link SourceMetadata} reads a source entry, the JDK's lstat result directly (the CLI, and these
 * tests: surefire opens {@code sun.nio.fs} as the CLI's manifest does), relative to the open directory it was
 * listed from, and by attribute names (a library whose JVM does not open it), see every kind of entry alike.
 */
class SourceMetadataTest {
  @TempDir Path temp;

  @Test
  void directAndNamedAttributesAgreeOnEveryKindOfEntry() throws IOException, InterruptedException {
    assertTrue(UnixStat.AVAILABLE, "sun.nio.fs is opened to the tests (surefire argLine), as to the CLI");
    Path file = Files.writeString(temp.resolve("setuid"), "x");
    Files.setAttribute(file, "unix:mode", 04755);
    Path link = Files.createLink(temp.resolve("hard link"), file);
    Path sticky = Files.createDirectory(temp.resolve("sticky"));
    Files.setAttribute(sticky, "unix:mode", 01777);
    Files.setLastModifiedTime(sticky, FileTime.from(Instant.parse("2001-02-03T04:05:06.123456789Z")));
    Path symlink = Files.createSymbolicLink(temp.resolve("symlink"), Path.of("setuid"));
    Path fifo = temp.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    Map<Path, NodeType> types = Map.of(file, NodeType.FILE, link, NodeType.FILE, sticky, NodeType.DIRECTORY,
        symlink, NodeType.SYMLINK, fifo, NodeType.FIFO);

    SourceMetadata direct = new SourceMetadata(true);
    SourceMetadata named = new SourceMetadata(false);
    try (DirectoryStream<Path> listed = Files.newDirectoryStream(temp)) {
      assertInstanceOf(SecureDirectoryStream.class, listed, "Linux lists a directory from an open descriptor");
      for (Path path : List.of(file, link, sticky, symlink, fifo)) {
        String name = path.getFileName().toString();
        Node node = direct.stat(path, name);
        assertEquals(named.stat(path, name), node, path.toString());
        assertEquals(node, direct.stat(listed, temp, path.getFileName(), name), path + " relative to its directory");
        assertEquals(types.get(path), node.type(), path.toString());
      }
    }
    Node setuid = direct.stat(file, "setuid");
    assertEquals(04755, setuid.mode());
    assertEquals(2, setuid.links());
    assertEquals(1, setuid.size());
    assertEquals(Files.getAttribute(file, "unix:ino"), setuid.inode());
    assertEquals(01777, direct.stat(sticky, "sticky").mode());
    assertEquals(Instant.parse("2001-02-03T04:05:06.123456789Z"), direct.stat(sticky, "sticky").mtime());
  }

  @Test
  void anEntryGoneSinceItsDirectoryWasListedIsReportedAsMissing() throws IOException {
    Path gone = Files.writeString(temp.resolve("gone"), "x");
    Path other = Files.writeString(temp.resolve("other"), "y");
    try (DirectoryStream<Path> listed = Files.newDirectoryStream(temp)) {
      Files.delete(gone);
      assertThrows(NoSuchFileException.class, () -> new SourceMetadata(true).stat(listed, temp, gone.getFileName(), "gone"));
      assertEquals(1, new SourceMetadata(true).stat(listed, temp, other.getFileName(), "other").size());
    }
  }

  @Test
  void aRenamedDirectorysEntriesAreStillReadThroughItsOpenListing() throws IOException {
    Path before = Files.createDirectory(temp.resolve("before"));
    Path file = Files.writeString(before.resolve("file"), "abc");
    try (DirectoryStream<Path> listed = Files.newDirectoryStream(before)) {
      Files.move(before, temp.resolve("after"));
      assertEquals(3, new SourceMetadata(true).stat(listed, before, file.getFileName(), "file").size());
    }
  }
}
