package dev.bakare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Compares a restored tree with its source: names, types, bytes, modes, times, link targets, hard links. */
final class TreeAssertions {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private TreeAssertions() {}

  static void assertSameTree(Path expected, Path actual) throws IOException {
    Map<Object, Path> expectedLinks = new HashMap<>();
    Map<Object, Object> inodeMapping = new HashMap<>();
    compare(expected, actual, expectedLinks, inodeMapping);
  }

  private static void compare(Path expected, Path actual, Map<Object, Path> seen, Map<Object, Object> inodes)
      throws IOException {
    assertTrue(Files.exists(actual, NOFOLLOW), "missing in restore: " + actual);
    Map<String, Object> e = Files.readAttributes(expected, "unix:mode,ino,dev,nlink,lastModifiedTime,size", NOFOLLOW);
    Map<String, Object> a = Files.readAttributes(actual, "unix:mode,ino,dev,nlink,lastModifiedTime,size", NOFOLLOW);
    int mode = (Integer) e.get("mode");
    assertEquals(Integer.toOctalString(mode), Integer.toOctalString((Integer) a.get("mode")), "mode of " + actual);
    if (Files.isSymbolicLink(expected)) {
      assertEquals(Files.readSymbolicLink(expected), Files.readSymbolicLink(actual), "target of " + actual);
      return;
    }
    assertEquals((FileTime) e.get("lastModifiedTime"), (FileTime) a.get("lastModifiedTime"), "mtime of " + actual);
    if (Files.isDirectory(expected, NOFOLLOW)) {
      assertEquals(names(expected), names(actual), "entries of " + actual);
      for (String name : names(expected)) {
        compare(expected.resolve(name), actual.resolve(name), seen, inodes);
      }
      return;
    }
    assertEquals((Long) e.get("size"), (Long) a.get("size"), "size of " + actual);
    assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(actual), "content of " + actual);
    if ((Integer) e.get("nlink") > 1) {
      // Files that share an inode in the source share one in the restore, and only those.
      List<Object> sourceKey = List.of(e.get("dev"), e.get("ino"));
      List<Object> restoredKey = List.of(a.get("dev"), a.get("ino"));
      Object previous = inodes.putIfAbsent(sourceKey, restoredKey);
      if (previous != null) {
        assertEquals(previous, restoredKey, "hard link " + actual + " restored as a separate file");
      }
    }
  }

  static TreeSet<String> names(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      TreeSet<String> names = new TreeSet<>();
      entries.forEach(p -> names.add(p.getFileName().toString()));
      return names;
    }
  }

  /** Where a backed-up absolute path lands below a restore target. */
  static Path restored(Path target, Path source) {
    Path absolute = source.toAbsolutePath().normalize();
    return target.resolve(absolute.getRoot().relativize(absolute).toString());
  }
}
