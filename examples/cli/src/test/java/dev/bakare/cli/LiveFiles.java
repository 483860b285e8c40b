package dev.bakare.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The regular files under a directory that child processes are writing to. Their uploads rename temp files
 * and prunes delete packs between a directory's listing and the read of an entry's attributes: such a
 * vanished entry is skipped (it is not there any more), every other I/O error fails the walk.
 */
final class LiveFiles {
  private LiveFiles() {}

  /** Size of every regular file under {@code root}, by path; empty when {@code root} does not exist. */
  static Map<Path, Long> sizes(Path root) throws IOException {
    Map<Path, Long> sizes = new LinkedHashMap<>();
    if (!Files.isDirectory(root)) {
      return sizes;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        if (attributes.isRegularFile()) {
          sizes.put(file, attributes.size());
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
        if (failure instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw failure;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
        // A directory removed while it was listed: what it held is gone too.
        if (failure != null && !(failure instanceof NoSuchFileException)) {
          throw failure;
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return sizes;
  }

  /** Total bytes of the regular files under {@code root}. */
  static long bytes(Path root) throws IOException {
    return sizes(root).values().stream().mapToLong(Long::longValue).sum();
  }
}
