package dev.bakare.store.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A deterministic tree of files for end-to-end tests: many small files in nested directories, some
 * medium and a few large ones, random (incompressible) and text-like (compressible) content, and one
 * file twice (dedup). The same seed and sizes give the same bytes.
 */
final class TestTree {
  private static final List<String> WORDS =
      List.of("backup", "bucket", "chunk", "pack", "index", "snapshot", "restore", "retry", "the", "a", "of",
          "network", "packet", "lost", "again", "and", "then", "file", "tree", "blob");

  private TestTree() {}

  /**
   * Writes the tree under {@code root} and returns its total size in bytes.
   *
   * @param small how many small files (up to 32 KiB)
   * @param medium how many medium files (256 KiB to 3 MiB)
   * @param large the sizes of the large files
   */
  static long write(Path root, long seed, int small, int medium, List<Integer> large) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    long total = 0;
    for (int i = 0; i < small; i++) {
      Path file = root.resolve("small/d" + (i % 37) + "/e" + (i % 5) + "/f" + i + ".dat");
      total += writeFile(file, random.nextInt(32 * 1024 + 1), random.split());
    }
    for (int i = 0; i < medium; i++) {
      Path file = root.resolve("medium/m" + i + ".bin");
      total += writeFile(file, 256 * 1024 + random.nextInt(3 * 1024 * 1024 - 256 * 1024), random.split());
    }
    for (int i = 0; i < large.size(); i++) {
      total += writeFile(root.resolve("large/l" + i + ".bin"), large.get(i), random.split());
    }
    if (medium > 0) {
      Path copy = root.resolve("copies/m0-again.bin");
      Files.createDirectories(copy.getParent());
      Files.copy(root.resolve("medium/m0.bin"), copy);
      total += Files.size(copy);
    }
    return total;
  }

  private static long writeFile(Path file, int size, SplittableRandom random) throws IOException {
    Files.createDirectories(file.getParent());
    boolean text = random.nextInt(3) == 0;
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      int left = size;
      while (left > 0) {
        int n = Math.min(left, block.length);
        if (text) {
          fillText(block, n, random);
        } else {
          random.nextBytes(block);
        }
        out.write(block, 0, n);
        left -= n;
      }
    }
    return size;
  }

  private static void fillText(byte[] block, int n, SplittableRandom random) {
    int i = 0;
    while (i < n) {
      String word = WORDS.get(random.nextInt(WORDS.size()));
      for (int c = 0; c < word.length() && i < n; c++) {
        block[i++] = (byte) word.charAt(c);
      }
      if (i < n) {
        block[i++] = (byte) (random.nextInt(12) == 0 ? '\n' : ' ');
      }
    }
  }

  /** Relative path to SHA-256 of every regular file under {@code root}. */
  static Map<String, String> digests(Path root) throws IOException {
    Map<String, String> digests = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    byte[] buffer = new byte[1 << 16];
    for (Path file : files) {
      MessageDigest sha256;
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
      try (InputStream in = Files.newInputStream(file)) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          sha256.update(buffer, 0, n);
        }
      }
      digests.put(root.relativize(file).toString(), HexFormat.of().formatHex(sha256.digest()));
    }
    return digests;
  }

  /** Where a backed-up absolute path lands below a restore target. */
  static Path restored(Path target, Path source) {
    Path absolute = source.toAbsolutePath().normalize();
    return target.resolve(absolute.getRoot().relativize(absolute).toString());
  }
}
