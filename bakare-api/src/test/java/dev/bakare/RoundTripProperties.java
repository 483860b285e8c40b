package dev.bakare;

import static dev.bakare.TreeAssertions.assertSameTree;
import static dev.bakare.TreeAssertions.restored;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random trees round-trip byte-identically, metadata included: names with spaces and non-ASCII
 * characters, empty and large files, deep directories, symlinks, hard links, sparse files, odd modes.
 * Each try derives its tree from the seed jqwik reports, so a failure replays exactly.
 */
class RoundTripProperties {
  private static final String[] NAME_PARTS = {
    "a", "report", "Übersicht", "日本語", "naïve café", "with space", "emoji-😀", "-dash", ".hidden",
    "x.tar.gz", "UPPER", "tab\tname", "quote'\"", "semi;colon", "#hash", "ends with space "
  };

  @Property(tries = 20)
  void randomTreesRoundTrip(@ForAll long seed) throws IOException {
    Path temp = Files.createTempDirectory("bakare-roundtrip");
    try {
      Random random = new Random(seed);
      Path source = Files.createDirectories(temp.resolve("source"));
      List<Path> files = new ArrayList<>();
      long[] budget = {40L << 20};
      populate(source, random, 0, files, budget);
      Path deep = source;
      for (int i = 0; i < 12; i++) {
        deep = Files.createDirectories(deep.resolve("level" + i));
      }
      Files.writeString(deep.resolve("bottom.txt"), "at the bottom " + seed);
      for (int i = 0; i < 3 && !files.isEmpty(); i++) {
        Path original = files.get(random.nextInt(files.size()));
        Files.createLink(original.resolveSibling("hardlink" + i + "-" + original.getFileName()), original);
      }
      scrambleMetadata(source, random);

      TestRepo repo = new TestRepo(temp);
      try (Repository r = repo.init()) {
        Snapshot snapshot = r.backup(BackupRequest.of(source));
        assertTrue(!snapshot.isPartial(), () -> "errors: " + snapshot.errors());
        Path target = temp.resolve("target");
        RestoreResult result = r.restore(snapshot.id(), target);
        assertTrue(result.isComplete(), () -> "errors: " + result.errors());
        assertSameTree(source, restored(target, source));
      }
    } finally {
      TestFiles.deleteTree(temp);
    }
  }

  private static void populate(Path dir, Random random, int depth, List<Path> files, long[] budget) throws IOException {
    int entries = random.nextInt(depth == 0 ? 12 : 6);
    for (int i = 0; i < entries; i++) {
      String name = name(random, i);
      Path path = dir.resolve(name);
      int kind = random.nextInt(10);
      if (kind < 5) {
        Files.write(path, content(random, budget));
        files.add(path);
      } else if (kind < 7 && depth < 4) {
        Files.createDirectories(path);
        populate(path, random, depth + 1, files, budget);
      } else if (kind < 8) {
        Files.createSymbolicLink(path, Path.of(random.nextBoolean() ? "../" + name(random, 99) : "/etc/hostname"));
      } else if (kind < 9) {
        try (RandomAccessFile sparse = new RandomAccessFile(path.toFile(), "rw")) {
          sparse.setLength(random.nextInt(8 << 20));
          if (sparse.length() > 10) {
            sparse.seek(random.nextInt((int) sparse.length() - 10));
            sparse.write(("sparse " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
          }
        }
        files.add(path);
      } else {
        Files.write(path, new byte[0]);
        files.add(path);
      }
    }
  }

  private static String name(Random random, int i) {
    return NAME_PARTS[random.nextInt(NAME_PARTS.length)] + "-" + i + (random.nextBoolean() ? "" : " ü");
  }

  private static byte[] content(Random random, long[] budget) {
    int size = switch (random.nextInt(10)) {
      case 0 -> 0;
      case 1 -> (int) Math.min(budget[0], random.nextInt(20 << 20));
      case 2, 3 -> random.nextInt(2 << 20);
      default -> random.nextInt(20_000);
    };
    size = (int) Math.max(0, Math.min(size, budget[0]));
    budget[0] -= size;
    byte[] bytes = new byte[size];
    if (random.nextBoolean()) {
      random.nextBytes(bytes);
    } else {
      for (int i = 0; i < size; i++) {
        bytes[i] = (byte) ("log line " + (i / 37) + "\n").charAt(i % 10);
      }
    }
    return bytes;
  }

  /** Random modes (setuid, sticky, read-only) and times, deepest first so parents are set last. */
  private static void scrambleMetadata(Path root, Random random) throws IOException {
    List<Path> all;
    try (Stream<Path> walk = Files.walk(root)) {
      all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
    }
    int[] fileModes = {0644, 0600, 0755, 0400, 04755, 02750, 0666, 0111};
    int[] dirModes = {0755, 0700, 01777, 0555, 02775};
    for (Path p : all) {
      if (Files.isSymbolicLink(p)) {
        continue;
      }
      int[] modes = Files.isDirectory(p) ? dirModes : fileModes;
      Files.setAttribute(p, "unix:mode", modes[random.nextInt(modes.length)]);
      Instant time = Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000_000));
      Files.setLastModifiedTime(p, FileTime.from(time));
    }
  }
}
