package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bakare.internal.backup.FileOpener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A backup against its parent snapshot reads exactly the files that changed and stores the trees a backup
 * reading every file stores, whatever changed in between: files added, deleted, renamed, edited, touched,
 * chmodded; directories added and deleted; symlinks added and retargeted; excluded files coming and going.
 * The parent's nodes stand in the new trees only for entries that are what they were.
 */
class ParentReuseProperties {
  /** Names whose byte order differs from their order in a directory listing and, partly, from String order. */
  private static final String[] NAMES = {"a", "B", "b0", "Z", "é", "ß", "z9", "日", "-x", ".h", "a b", "A"};
  private static final String EXCLUDED = "*.skip";

  @Property(tries = 15)
  void aBackupAgainstItsParentReadsWhatChangedAndStoresWhatReadingEverythingWould(@ForAll long seed)
      throws IOException {
    Path temp = Files.createTempDirectory("bakare-parent-reuse");
    try {
      Random random = new Random(seed);
      Path source = Files.createDirectories(temp.resolve("source"));
      populate(source, random, 0);
      Set<Path> opened = ConcurrentHashMap.newKeySet();
      FileOpener counting = path -> {
        opened.add(path);
        return FileOpener.DEFAULT.open(path);
      };
      BackupRequest request = BackupRequest.builder().path(source).exclude(EXCLUDED).build();
      try (Repository r = new TestRepo(temp).init()) {
        r.backup(request, counting);
        Set<Path> changed = new HashSet<>();
        change(source, random, changed);
        opened.clear();
        Snapshot again = r.backup(request, counting);
        assertEquals(changed, opened, "files read against the parent");
        assertEquals(again.stats().files() - changed.size(), again.stats().unchangedFiles());

        opened.clear();
        Snapshot everything = r.backup(BackupRequest.builder().path(source).exclude(EXCLUDED)
            .changeDetection(ChangeDetection.OFF).build(), counting);
        assertEquals(again.stats().files(), opened.size(), "files read with change detection off");
        assertEquals(0, everything.stats().storedBytes(),
            "reading every file made a tree that the backup against the parent had not stored");

        deleteExcluded(source);
        Path target = temp.resolve("target");
        RestoreResult restore = r.restore(again.id(), target);
        assertTrue(restore.isComplete(), () -> "errors: " + restore.errors());
        assertSameTree(source, restored(target, source));
      }
    } finally {
      TestFiles.deleteTree(temp);
    }
  }

  private static void populate(Path dir, Random random, int depth) throws IOException {
    for (String name : NAMES) {
      int kind = random.nextInt(depth < 2 ? 8 : 6);
      Path entry = dir.resolve(name);
      switch (kind) {
        case 0, 1, 2 -> write(entry, random);
        case 3 -> Files.createSymbolicLink(entry, Path.of("target-" + random.nextInt(3)));
        case 4 -> write(dir.resolve(name + ".skip"), random);
        case 6, 7 -> populate(Files.createDirectory(entry), random, depth + 1);
        default -> { }
      }
    }
  }

  private static void write(Path file, Random random) throws IOException {
    byte[] content = new byte[random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(5000)];
    random.nextBytes(content);
    Files.write(file, content);
  }

  /**
   * Changes some entries of {@code dir} and below, adding the files a backup must read again to {@code
   * changed}. Each directory gets its own kinds of change (deletions only, say, or none at all), so that
   * every way a directory can differ from its parent's version comes up alone as well as mixed.
   */
  private static void change(Path dir, Random random, Set<Path> changed) throws IOException {
    boolean deletes = random.nextInt(3) == 0;
    boolean edits = random.nextInt(3) == 0;
    boolean adds = random.nextInt(3) == 0;
    for (Path entry : list(dir)) {
      if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
        if (deletes && random.nextInt(4) == 0) {
          TestFiles.deleteTree(entry);
        } else {
          change(entry, random, changed);
        }
        continue;
      }
      boolean file = Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS);
      boolean excluded = entry.getFileName().toString().endsWith(".skip");
      if (deletes && random.nextInt(4) == 0) {
        if (adds && file && random.nextBoolean()) {
          Path renamed = entry.resolveSibling(entry.getFileName() + "-renamed");
          Files.move(entry, renamed);
          // Excluded or not before, it is not now.
          changed.add(renamed);
        } else {
          Files.delete(entry);
        }
        continue;
      }
      if (!edits || random.nextInt(3) != 0) {
        continue;
      }
      if (Files.isSymbolicLink(entry)) {
        Files.delete(entry);
        Files.createSymbolicLink(entry, Path.of("elsewhere"));
        continue;
      }
      switch (random.nextInt(3)) {
        case 0 -> {
          byte[] content = Files.readAllBytes(entry);
          FileTime mtime = Files.getLastModifiedTime(entry);
          if (content.length > 0) {
            content[random.nextInt(content.length)] ^= 1;
          }
          Files.write(entry, content);
          // Same size, same mtime: only the ctime tells (the default, strict, change detection).
          Files.setLastModifiedTime(entry, mtime);
        }
        case 1 -> Files.setLastModifiedTime(entry,
            FileTime.fromMillis(Files.getLastModifiedTime(entry).toMillis() + 1000));
        default -> Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-r-----"));
      }
      if (!excluded) {
        changed.add(entry);
      }
    }
    if (!adds) {
      return;
    }
    for (String name : NAMES) {
      Path added = dir.resolve(name + "+");
      switch (random.nextInt(8)) {
        case 0 -> {
          write(added, random);
          changed.add(added);
        }
        case 1 -> write(dir.resolve(name + "+.skip"), random);
        case 2 -> {
          Path sub = Files.createDirectory(added);
          write(sub.resolve("inside"), random);
          changed.add(sub.resolve("inside"));
        }
        default -> { }
      }
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return new ArrayList<>(entries.sorted().toList());
    }
  }

  /** Deletes the excluded files, keeping their directories' mtimes, which the backup stored. */
  private static void deleteExcluded(Path dir) throws IOException {
    FileTime mtime = Files.getLastModifiedTime(dir);
    for (Path entry : list(dir)) {
      if (entry.getFileName().toString().endsWith(".skip")) {
        Files.delete(entry);
      } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
        deleteExcluded(entry);
      }
    }
    Files.setLastModifiedTime(dir, mtime);
  }
}
