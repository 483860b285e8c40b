package dev.bakare.internal.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.tree.Node;
import dev.bakare.internal.tree.NodeType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways {@link SourceMetadata} reads a source entry, the JDK's lstat result directly (the CLI, and these
 * tests: surefire opens {@code sun.nio.fs} as the CLI's manifest does) and by attribute names (a library
 * whose JVM does not open it), see every kind of entry alike.
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
    for (Path path : List.of(file, link, sticky, symlink, fifo)) {
      Node node = direct.stat(path, path.getFileName().toString());
      assertEquals(named.stat(path, path.getFileName().toString()), node, path.toString());
      assertEquals(types.get(path), node.type(), path.toString());
    }
    Node setuid = direct.stat(file, "setuid");
    assertEquals(04755, setuid.mode());
    assertEquals(2, setuid.links());
    assertEquals(1, setuid.size());
    assertEquals(Files.getAttribute(file, "unix:ino"), setuid.inode());
    assertEquals(01777, direct.stat(sticky, "sticky").mode());
    assertEquals(Instant.parse("2001-02-03T04:05:06.123456789Z"), direct.stat(sticky, "sticky").mtime());
  }
}
